package io.stare.actors.agent;

import static io.stare.actors.agent.AgentTestSupport.WAIT;
import static io.stare.actors.agent.AgentTestSupport.awaitReady;
import static io.stare.actors.agent.AgentTestSupport.awaitView;
import static io.stare.actors.agent.AgentTestSupport.settings;
import static io.stare.actors.agent.AgentTestSupport.useRegisters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.agent.AgentTestSupport.Host;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.p4.program.StareProgram;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StarePacket;
import io.stare.testing.TestTime;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * State4 under load: hosts on four ports keep registering and removing subscriptions while the
 * agent grows the state table from 2048 to 4096 cells. Afterwards every cell must equal what the
 * same frames make of a switch never reconfigured (a plain {@link RegisterPipeline}); the naive
 * way (read, push, write back, no cloning) must be seen to lose changes under the same load.
 */
class ReconfigurationTest {

    private static final int CHURN_HOSTS = 4;        // ports 0..3
    private static final int SUBSCRIBER_PORT = 4;    // a steady subscriber
    private static final int PUBLISHER_PORT = 5;
    private static final int CHURN_STATES = 200;     // few states, so that changes hit the same cells
    private static final int STEADY_STATE = 2000;
    private static final int NEW_STATE = 3000;       // beyond the old capacity
    private static final int MARKER_STATE = 3500;    // never subscribed: sent to hosts directly, as a marker
    private static final long FRAME_INTERVAL_NANOS = 400_000; // 2500 SUB messages per second in all

    private ActorTestKit kit;
    private SoftSwitchNode node;
    private ActorRef<SwitchAgent.Command> agent;
    private final List<Host> hosts = new ArrayList<>();
    private final List<Receiver> receivers = new ArrayList<>();

    /** Drains one host's socket: counts SUB-acks and records the states it got publishes for. */
    private static final class Receiver extends Thread {
        final Host host;
        final AtomicInteger acks = new AtomicInteger();
        final Set<Integer> published = ConcurrentHashMap.newKeySet();
        final AtomicInteger publishes = new AtomicInteger();
        volatile boolean running = true;

        Receiver(Host host) {
            this.host = host;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                try {
                    StarePacket packet = host.receive(100);
                    if (packet != null && packet.header().kind() == MessageKind.SUB_ACK) {
                        acks.incrementAndGet();
                    } else if (packet != null && packet.header().kind() == MessageKind.PUBLISH) {
                        published.add(packet.header().stateId());
                        publishes.incrementAndGet();
                    }
                } catch (Exception e) {
                    return; // socket closed
                }
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        kit = ActorTestKit.create("reconfiguration");
        node = AgentTestSupport.startSwitch(kit, 1, 6);
        agent = kit.spawn(SwitchAgent.create(settings(node.grpcAddress(), 1, 1, StareProgram.Mode.REGISTER, 0)
                .withState4(new AgentSettings.State4(RegisterAccess.Choice.AUTO, 0, 64, false))));
        awaitReady(kit, agent);
        for (int port = 0; port <= PUBLISHER_PORT; port++) {
            Host host = new Host(node.portAddresses().get(port), port + 1);
            host.socket.setReceiveBufferSize(1 << 20);
            hosts.add(host);
            Receiver receiver = new Receiver(host);
            receivers.add(receiver);
            receiver.start();
        }
    }

    @AfterEach
    void stop() throws Exception {
        receivers.forEach(r -> r.running = false);
        for (Receiver r : receivers) {
            r.join(2_000);
        }
        hosts.forEach(Host::close);
        kit.stop(agent);
        node.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
        kit.shutdownTestKit();
    }

    @Test
    void state4GrowsTheTableUnderChurnWithoutLosingAChange() throws Exception {
        // Exactness needs every applied SUB message cloned while clone_flag is set, also one that
        // leaves its cell unchanged: after COMMIT the new pipeline briefly works on cells the fences
        // have not repaired yet, and a SUB there that changes nothing on the stale value is a real
        // change the agent must hear of (see Reconfiguration). Skipped until the pipeline does so.
        subscribeSteadily(STEADY_STATE);
        assertPublishReaches(STEADY_STATE, 1L << SUBSCRIBER_PORT);

        RegisterPipeline expected = reference();
        expected.process(SUBSCRIBER_PORT, hosts.get(SUBSCRIBER_PORT).frame(MessageKind.SUB_REGISTER, STEADY_STATE, 1,
                new byte[0]));
        ReconfigurationReport report = churnWhile(Reconfiguration.Strategy.STATE4, expected);

        assertTrue(report.succeeded(), report.toString());
        assertEquals(4096, report.toCapacity());
        assertTrue(report.updatesCloned() > 0, "no change was cloned during the window: " + report);
        assertTrue(report.cellsCopied() > CHURN_STATES / 2, report.toString());
        long[] cells = useRegisters(kit, agent, RegisterAccess.Kind.P4RUNTIME, a -> a.read(0, 4096));
        int wrong = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            long want = i < 2048 ? expected.statePorts().read(i) : 0;
            if (cells[i] != want) {
                if (wrong++ < 5) {
                    first.append(" [").append(i).append("] ").append(cells[i]).append(" != ").append(want);
                }
            }
        }
        assertEquals(0, wrong, "cells differ from a switch never reconfigured:" + first + "; " + report
                + "; packet-ins dropped by the switch: " + node.server().packetInsDropped());
        AgentView view = awaitView(kit, agent, v -> !v.reconfiguring(), WAIT);
        assertEquals(4096, view.stateCapacity());
        assertEquals(report, view.lastReconfiguration().orElseThrow());

        // Publishes reach exactly their subscribers, old states and one the old table had no room for.
        assertPublishReaches(STEADY_STATE, 1L << SUBSCRIBER_PORT);
        for (int state = 0; state < 5; state++) {
            assertPublishReaches(state, cells[state]);
        }
        subscribeSteadily(NEW_STATE);
        assertPublishReaches(NEW_STATE, 1L << SUBSCRIBER_PORT);
    }

    @Test
    void theNaiveWayLosesChangesUnderTheSameLoad() throws Exception {
        RegisterPipeline expected = reference();
        ReconfigurationReport report = churnWhile(Reconfiguration.Strategy.NAIVE_UNSAFE, expected);
        assertTrue(report.succeeded(), report.toString());
        long[] cells = useRegisters(kit, agent, RegisterAccess.Kind.P4RUNTIME, a -> a.read(0, 2048));
        int wrong = 0;
        for (int i = 0; i < cells.length; i++) {
            if (cells[i] != expected.statePorts().read(i)) {
                wrong++;
            }
        }
        assertTrue(wrong > 0, "the naive reconfiguration lost nothing this time: " + report);
    }

    /** Whether the software switch's register pipeline clones a SUB message that changes nothing. */
    /** A switch that is never reconfigured: same program, same groups, no tree ports. */
    private static RegisterPipeline reference() {
        RegisterPipeline pipeline = new RegisterPipeline(8, 2048);
        pipeline.replication().installPortMaskGroups(8);
        return pipeline;
    }

    /**
     * Sends SUB-register / SUB-remove frames from the churn hosts at a steady rate, asks for the
     * reconfiguration a while in, goes on a while after it, and feeds the same frames to
     * {@code expected}. Every frame must be acknowledged (none lost on loopback).
     */
    private ReconfigurationReport churnWhile(Reconfiguration.Strategy strategy, RegisterPipeline expected)
            throws Exception {
        AtomicBoolean sending = new AtomicBoolean(true);
        List<int[]> sent = java.util.Collections.synchronizedList(new ArrayList<>()); // port, kind, state, update
        Thread sender = new Thread(() -> {
            Random random = new Random(4);
            int update = 0;
            long next = System.nanoTime();
            try {
                while (sending.get()) {
                    int port = random.nextInt(CHURN_HOSTS);
                    int state = random.nextInt(CHURN_STATES);
                    boolean register = random.nextInt(5) < 3;
                    MessageKind kind = register ? MessageKind.SUB_REGISTER : MessageKind.SUB_REMOVE;
                    hosts.get(port).send(kind, state, ++update, new byte[0]);
                    sent.add(new int[] {port, register ? 1 : 0, state, update});
                    next += FRAME_INTERVAL_NANOS;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "churn");
        sender.start();
        try {
            Thread.sleep(400); // churn before the reconfiguration starts: part of the scenario
            TestProbe<ReconfigurationReport> probe = kit.createTestProbe();
            agent.tell(new SwitchAgent.Reconfigure(4096, strategy, probe.ref()));
            ReconfigurationReport report = probe.receiveMessage(Duration.ofSeconds(20));
            Thread.sleep(strategy == Reconfiguration.Strategy.STATE4 ? 300 : 50); // and churn after it
            sending.set(false);
            sender.join(5_000);
            return withFramesApplied(report, sent, expected);
        } finally {
            sending.set(false);
            sender.join(5_000);
        }
    }

    private ReconfigurationReport withFramesApplied(ReconfigurationReport report, List<int[]> sent,
                                                    RegisterPipeline expected) throws Exception {
        List<int[]> frames;
        synchronized (sent) {
            frames = new ArrayList<>(sent);
        }
        int[] perPort = new int[CHURN_HOSTS];
        for (int[] f : frames) {
            MessageKind kind = f[1] == 1 ? MessageKind.SUB_REGISTER : MessageKind.SUB_REMOVE;
            expected.process(f[0], hosts.get(f[0]).frame(kind, f[2], f[3], new byte[0]));
            perPort[f[0]]++;
        }
        // Every SUB message was processed by the switch (old or new pipeline): none lost on loopback.
        TestTime.eventually(Duration.ofSeconds(10), () -> {
            for (int port = 0; port < CHURN_HOSTS; port++) {
                assertTrue(receivers.get(port).acks.get() >= perPort[port], "port " + port + ": "
                        + receivers.get(port).acks.get() + " SUB-acks for " + perPort[port] + " SUB messages; switch "
                        + "port " + node.ports().counters(port) + ", without pipeline "
                        + node.softSwitch().framesWithoutPipeline());
            }
        });
        assertTrue(frames.size() > 1000, "only " + frames.size() + " SUB messages sent");
        return report;
    }

    private void subscribeSteadily(int state) throws Exception {
        int acks = receivers.get(SUBSCRIBER_PORT).acks.get();
        hosts.get(SUBSCRIBER_PORT).send(MessageKind.SUB_REGISTER, state, 1, new byte[0]);
        TestTime.eventually(Duration.ofSeconds(5), () -> assertTrue(receivers.get(SUBSCRIBER_PORT).acks.get() > acks,
                "no SUB-ack for state " + state));
    }

    /** A publish from the publisher's port reaches the ports of {@code mask} and no other. */
    private void assertPublishReaches(int state, long mask) throws Exception {
        int[] before = receivers.stream().mapToInt(r -> r.publishes.get()).toArray();
        receivers.forEach(r -> r.published.remove(state));
        receivers.forEach(r -> r.published.remove(MARKER_STATE));
        long received = node.ports().counters(PUBLISHER_PORT).received();
        hosts.get(PUBLISHER_PORT).send(MessageKind.PUBLISH, state, 1, "x".getBytes());
        // The switch has the publish; a task on its data path runs after the cycle that forwarded it,
        // and on loopback a sent datagram is already in its receiver's queue. A marker sent to every
        // host now queues behind anything the switch sent it: once each host has read its marker,
        // every copy of the publish has been counted.
        TestTime.eventually(Duration.ofSeconds(5), () -> assertEquals(received + 1,
                node.ports().counters(PUBLISHER_PORT).received()));
        node.softSwitch().withPipeline(pipeline -> pipeline);
        try (java.net.DatagramSocket marker = new java.net.DatagramSocket(
                new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
            byte[] frame = hosts.get(PUBLISHER_PORT).frame(MessageKind.PUBLISH, MARKER_STATE, 1, new byte[0]);
            for (int port = 0; port < PUBLISHER_PORT; port++) {
                marker.send(new java.net.DatagramPacket(frame, frame.length, hosts.get(port).address()));
            }
        }
        TestTime.eventually(Duration.ofSeconds(5), () -> {
            for (int port = 0; port < PUBLISHER_PORT; port++) {
                assertTrue(receivers.get(port).published.contains(MARKER_STATE), "port " + port + ": the marker");
            }
        });
        for (int port = 0; port < PUBLISHER_PORT; port++) {
            int got = receivers.get(port).publishes.get() - before[port] - 1; // less the marker
            assertEquals((mask & (1L << port)) != 0 ? 1 : 0, got, "publishes of state " + state + " on port " + port);
        }
    }

}
