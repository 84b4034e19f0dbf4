package io.stare.bench.table4;

import io.stare.p4.pipeline.PipelineNetwork;
import io.stare.p4.pipeline.StateForwardingTable;
import io.stare.p4.topology.Topology;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StarePacket;
import java.util.Map;
import java.util.TreeMap;

/**
 * STARE's side of Table IV, measured: the real pipelines of every switch of the
 * {@link PaperTree#topology() Table IV topology} in a {@link PipelineNetwork}. Each subscriber set
 * gets its own state: its hosts send SUB-register, which the pipelines propagate along the
 * distribution tree; then one Publish from the publisher's host is counted frame by frame.
 */
public final class StareRun {

    /** What one publish did. */
    public record Measurement(Cost cost, Map<String, Integer> publishesPerHost) {
    }

    private final PaperTree tree;
    private final PipelineNetwork network;
    private int nextState = 1;
    private int update;

    public StareRun(PaperTree tree, PipelineNetwork.Mode mode) {
        this.tree = tree;
        this.network = new PipelineNetwork(tree.topology(), mode);
    }

    public PipelineNetwork network() {
        return network;
    }

    /** Whether another subscriber set fits (register mode: the register array's size). */
    public boolean hasRoom() {
        return nextState < StateForwardingTable.DEFAULT_CAPACITY;
    }

    /**
     * Subscribes the hosts on the given leaves to a fresh state through the pipelines and returns
     * the state.
     *
     * @throws IllegalStateException if the states are used up or a subscriber got no SUB-ack
     */
    public int subscribe(int[] leaves) {
        if (!hasRoom()) {
            throw new IllegalStateException("no state left: use a new StareRun");
        }
        int state = nextState++;
        network.clearReceived();
        for (int leaf : leaves) {
            network.subscribe(tree.subscriberHost(leaf), MessageKind.SUB_REGISTER, state);
        }
        network.run();
        for (int leaf : leaves) {
            String host = tree.subscriberHost(leaf);
            long acks = network.received(host).stream()
                    .filter(p -> p.header().kind() == MessageKind.SUB_ACK && p.header().stateId() == state).count();
            if (acks != 1) {
                throw new IllegalStateException(host + " got " + acks + " SUB-acks for state " + state);
            }
        }
        network.clearReceived();
        return state;
    }

    /**
     * Publishes once on {@code state} from the publisher host of switch {@code publisher} and counts:
     * in-net = frames on switch-to-switch links, out-net = the publisher's frame to its switch plus
     * the frames switches delivered to hosts; bytes likewise (whole Ethernet frames).
     */
    public Measurement publish(int state, int publisher, int payload) {
        network.resetCounters();
        network.clearReceived();
        int number = ++update;
        byte[] sent = network.publish(tree.publisherHost(publisher), state, number, new byte[payload]);
        network.run();
        Map<String, Integer> got = new TreeMap<>();
        for (Topology.Host host : network.topology().hosts()) {
            int publishes = 0;
            for (StarePacket p : network.received(host.name())) {
                if (p.header().kind() == MessageKind.PUBLISH && p.header().updateNo() == number) {
                    publishes++;
                }
            }
            if (publishes > 0) {
                got.put(host.name(), publishes);
            }
        }
        Cost cost = new Cost(network.linkFrames(), 1 + network.hostFrames(), network.linkBytes(),
                sent.length + network.hostBytes());
        return new Measurement(cost, got);
    }

    /**
     * Subscribes (with a fresh state) and publishes once, and checks that exactly the subscribers got
     * the publish, once each.
     *
     * @throws IllegalStateException when the delivery is wrong
     */
    public Cost measure(Placement p, int payload) {
        int state = subscribe(p.subscriberLeaves());
        return publishChecked(state, p, payload);
    }

    /** {@link #publish} on an already subscribed state, with the delivery check of {@link #measure}. */
    public Cost publishChecked(int state, Placement p, int payload) {
        Measurement m = publish(state, p.publisher(), payload);
        Map<String, Integer> want = expected(p);
        if (!want.equals(m.publishesPerHost())) {
            throw new IllegalStateException("wrong delivery for " + p.describe(tree) + ": got "
                    + m.publishesPerHost() + ", want " + want);
        }
        return m.cost();
    }

    /** Each subscriber once. */
    public Map<String, Integer> expected(Placement p) {
        Map<String, Integer> want = new TreeMap<>();
        for (int leaf : p.subscriberLeaves()) {
            want.put(tree.subscriberHost(leaf), 1);
        }
        return want;
    }
}
