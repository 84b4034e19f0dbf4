package io.stare.p4.entity;

import io.grpc.Status;
import java.util.OptionalLong;
import p4.v1.CloneSessionEntry;
import p4.v1.Entity;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.Replica;

/**
 * A clone session with one copy, as STARE's programs use them (session 100 clones SUB_PROPAGATED and
 * STATE_CHANGED packets to the CPU port). Truncation ({@code packet_length_bytes}) is not supported.
 */
public final class CloneSessionCodec implements EntityCodec<CloneSessionCodec.Session> {

    /** Session {@code sessionId} sending its one copy out of {@code port} with {@code classOfService}. */
    public record Session(int sessionId, int port, int classOfService) {
    }

    static final CloneSessionCodec INSTANCE = new CloneSessionCodec();

    private CloneSessionCodec() {
    }

    @Override
    @SuppressWarnings("deprecation") // Replica.egress_port: what every server version reads
    public Entity encode(Session session) {
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setCloneSessionEntry(CloneSessionEntry.newBuilder().setSessionId(session.sessionId())
                        .setClassOfService(session.classOfService())
                        .addReplicas(Replica.newBuilder().setEgressPort(session.port()).setInstance(0)))).build();
    }

    @Override
    public Decoded<Session> decode(Entity entity) {
        Decoded<Integer> id = decodeId(entity);
        if (!id.isOk()) {
            return id.map(i -> null);
        }
        CloneSessionEntry entry = entity.getPacketReplicationEngineEntry().getCloneSessionEntry();
        if (entry.getPacketLengthBytes() != 0) {
            return Decoded.refused(Status.Code.UNIMPLEMENTED,
                    "clones are not truncated here: packet_length_bytes must be 0");
        }
        if (entry.getReplicasCount() != 1) {
            return Decoded.invalid("a clone session of STARE's programs has exactly one replica");
        }
        OptionalLong port = MulticastGroupCodec.port(entry.getReplicas(0));
        if (port.isEmpty()) {
            return Decoded.invalid("clone session " + id.orElseThrow() + " has no valid port");
        }
        return Decoded.ok(new Session(id.orElseThrow(), (int) port.getAsLong(), entry.getClassOfService()));
    }

    /** The id of a clone session entry (all a DELETE needs). */
    public Decoded<Integer> decodeId(Entity entity) {
        if (!entity.hasPacketReplicationEngineEntry()
                || !entity.getPacketReplicationEngineEntry().hasCloneSessionEntry()) {
            return Decoded.invalid("not a clone session entry");
        }
        return Decoded.ok(entity.getPacketReplicationEngineEntry().getCloneSessionEntry().getSessionId());
    }

    /** A filter reading every clone session. */
    public Entity filter() {
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setCloneSessionEntry(CloneSessionEntry.getDefaultInstance())).build();
    }
}
