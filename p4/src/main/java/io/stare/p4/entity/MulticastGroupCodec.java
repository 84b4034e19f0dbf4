package io.stare.p4.entity;

import io.stare.p4.program.P4Values;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import p4.v1.Entity;
import p4.v1.MulticastGroupEntry;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.Replica;

/** A multicast group of the packet replication engine: the copies a publish is replicated to. */
public final class MulticastGroupCodec implements EntityCodec<MulticastGroupCodec.Group> {

    /** One copy: out of {@code port}, as {@code instance}. */
    public record Copy(int port, int instance) {
    }

    /** Group {@code groupId} (1..65535) and its copies, in order. */
    public record Group(int groupId, List<Copy> copies) {
        public Group {
            copies = List.copyOf(copies);
        }
    }

    static final MulticastGroupCodec INSTANCE = new MulticastGroupCodec();

    private MulticastGroupCodec() {
    }

    /**
     * Replicas name their port with {@code egress_port}: deprecated in favour of the {@code port}
     * bytes, but the field every P4Runtime server version reads (decoding takes both).
     */
    @Override
    @SuppressWarnings("deprecation")
    public Entity encode(Group group) {
        MulticastGroupEntry.Builder entry = MulticastGroupEntry.newBuilder().setMulticastGroupId(group.groupId());
        for (Copy copy : group.copies()) {
            entry.addReplicas(Replica.newBuilder().setEgressPort(copy.port()).setInstance(copy.instance()));
        }
        return Entity.newBuilder().setPacketReplicationEngineEntry(
                PacketReplicationEngineEntry.newBuilder().setMulticastGroupEntry(entry)).build();
    }

    @Override
    public Decoded<Group> decode(Entity entity) {
        Decoded<Integer> id = decodeId(entity);
        if (!id.isOk()) {
            return id.map(i -> null);
        }
        List<Copy> copies = new ArrayList<>();
        for (Replica replica : entity.getPacketReplicationEngineEntry().getMulticastGroupEntry().getReplicasList()) {
            OptionalLong port = port(replica);
            if (port.isEmpty()) {
                return Decoded.invalid("a replica of group " + id.orElseThrow() + " has no valid port");
            }
            copies.add(new Copy((int) port.getAsLong(), replica.getInstance()));
        }
        return Decoded.ok(new Group(id.orElseThrow(), copies));
    }

    /** The id of a group entry (all a DELETE needs); 0 is reserved. */
    public Decoded<Integer> decodeId(Entity entity) {
        if (!entity.hasPacketReplicationEngineEntry()
                || !entity.getPacketReplicationEngineEntry().hasMulticastGroupEntry()) {
            return Decoded.invalid("not a multicast group entry");
        }
        int id = entity.getPacketReplicationEngineEntry().getMulticastGroupEntry().getMulticastGroupId();
        return id == 0 ? Decoded.invalid("multicast group id 0 is reserved") : Decoded.ok(id);
    }

    /** A filter reading every group. */
    public Entity filter() {
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setMulticastGroupEntry(MulticastGroupEntry.getDefaultInstance())).build();
    }

    /** A replica's port, from {@code egress_port} or the {@code port} bytes. */
    @SuppressWarnings("deprecation")
    static OptionalLong port(Replica replica) {
        return switch (replica.getPortKindCase()) {
            case EGRESS_PORT -> OptionalLong.of(Integer.toUnsignedLong(replica.getEgressPort()));
            case PORT -> P4Values.parse(replica.getPort(), 32);
            default -> OptionalLong.empty();
        };
    }
}
