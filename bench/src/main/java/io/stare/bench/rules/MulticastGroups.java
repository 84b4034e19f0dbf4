package io.stare.bench.rules;

import io.stare.p4.pipeline.ReplicationEngine;
import io.stare.p4.program.StarePrograms;
import java.util.ArrayList;
import java.util.List;
import p4.v1.Entity;
import p4.v1.MulticastGroupEntry;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.Replica;

/** Multicast group entities for the BMv2 measurement, built as the switch agent builds them. */
final class MulticastGroups {

    private MulticastGroups() {
    }

    /** Group {@code id} replicating to the ports of {@code mask}, ascending, instance 0 (none for mask 0). */
    @SuppressWarnings("deprecation") // Replica.egress_port: what BMv2's P4Runtime server (PI) reads
    static Entity group(int id, long mask) {
        MulticastGroupEntry.Builder group = MulticastGroupEntry.newBuilder().setMulticastGroupId(id);
        for (ReplicationEngine.Replica replica : ReplicationEngine.replicasOf(mask)) {
            group.addReplicas(Replica.newBuilder().setEgressPort(replica.port()).setInstance(replica.instance()));
        }
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setMulticastGroupEntry(group)).build();
    }

    /**
     * The 2^P - 1 port-mask groups of the register program, group {@code g} replicating to the ports
     * of mask {@code g}, as the switch agent installs them when it pushes the pipeline.
     */
    static List<Entity> portMasks() {
        List<Entity> groups = new ArrayList<>();
        for (int mask = 1; mask < 1 << StarePrograms.FRONT_PORTS; mask++) {
            groups.add(group(mask, mask));
        }
        return groups;
    }
}
