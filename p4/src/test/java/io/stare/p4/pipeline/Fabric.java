package io.stare.p4.pipeline;

import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topology;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StarePacket;
import java.util.List;
import java.util.Random;

/**
 * The tests' network: a thin wrapper over {@link PipelineNetwork} (one real pipeline per switch of
 * a {@link Topology}, wired port to port) that builds its frames with {@link StareFrames}, which is
 * independent of the code under test.
 */
final class Fabric {

    enum Mode {
        REGISTER(PipelineNetwork.Mode.REGISTER), EMBEDDED(PipelineNetwork.Mode.EMBEDDED);

        final PipelineNetwork.Mode network;

        Mode(PipelineNetwork.Mode network) {
            this.network = network;
        }
    }

    private final PipelineNetwork network;
    private final java.util.Map<String, Integer> sequences = new java.util.HashMap<>();

    Fabric(Topology topology, Mode mode) {
        this(topology, SpanningTree.of(topology), mode, null);
    }

    Fabric(Topology topology, SpanningTree tree, Mode mode, Random random) {
        this.network = new PipelineNetwork(topology, tree, mode.network, random, PipelineNetwork.DEFAULT_MAX_STEPS);
    }

    Pipeline pipeline(String switchName) {
        return network.pipeline(switchName);
    }

    int hostId(String host) {
        return network.hostId(host);
    }

    long mask(String switchName, int state) {
        return network.mask(switchName, state);
    }

    void send(String host, byte[] frame) {
        network.send(host, frame);
    }

    /** Queues a SUB message with the host's next sequence number and returns it (for retransmission). */
    byte[] subscribe(String host, MessageKind kind, int state) {
        int sequence = sequences.merge(host, 1, Integer::sum);
        byte[] frame = StareFrames.sub(kind, state, sequence, hostId(host));
        send(host, frame);
        return frame;
    }

    void publish(String host, int state, int update) {
        send(host, StareFrames.publish(state, update, hostId(host),
                ("u" + update).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    void run() {
        network.run();
    }

    List<StarePacket> received(String host) {
        return network.received(host);
    }

    List<StarePacket> publishesReceived(String host) {
        return network.publishesReceived(host);
    }

    void clearReceived() {
        network.clearReceived();
    }

    List<PipelineResult.PacketInMessage> packetIns(String switchName) {
        return network.packetIns(switchName);
    }

    int framesOn(Topology.Link link) {
        return network.framesOn(link);
    }

    int unattachedEmissions() {
        return network.unattachedEmissions();
    }
}
