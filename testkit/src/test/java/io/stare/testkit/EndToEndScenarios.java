package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.middleware.Middleware;
import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.fabric.FabricLink;
import io.stare.p4.pipeline.DropReason;
import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortCounters;
import io.stare.p4.topology.Topology;
import io.stare.testing.TestTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The issue's end-to-end scenarios, run through the test kit on one fabric per test, in both
 * program modes. A subclass gives the network and where the VNFs run: VNF {@code a} on
 * {@link #hostA()}, VNFs {@code b} and {@code c} on {@link #hostB()} (the paper's H2, with two
 * VNFs), VNF {@code d} on {@link #hostC()}. Each VNF {@code x} publishes {@code state-x}; update
 * {@code i} of it is the bytes {@code "state-x#i"}.
 *
 * <p>Every wait is bounded: probes by {@link #WAIT}, the fabric by its own timeout, each test by
 * {@link Timeout}.
 */
@Timeout(90)
abstract class EndToEndScenarios {

    static final int UPDATES = 30;
    static final Duration WAIT = Duration.ofSeconds(20);
    /** A second state of a's, heard on the same listeners as state-a: the marker for those that left state-a. */
    static final String MARKER = "marker-a";

    /** The network. */
    abstract Topology topology();

    /** The host of VNF a. */
    abstract String hostA();

    /** The host of VNFs b and c. */
    abstract String hostB();

    /** The host of VNF d. */
    abstract String hostC();

    /** The fabric's seed (the links' random sources). */
    abstract long seed();

    StareFabric fabric;
    StareClient a;
    StareClient b;
    StareClient c;
    StareClient d;

    @AfterEach
    void stopFabric() {
        if (fabric != null) {
            fabric.close();
            fabric = null;
        }
    }

    /** Starts the fabric; {@code vnfs} names which of a, b, c, d to register and declare. */
    void start(StareProgram.Mode mode, String vnfs) throws Exception {
        fabric = StareFabric.builder().topology(topology()).mode(mode).seed(seed()).start();
        if (vnfs.contains("a")) {
            a = declared(hostA(), "a");
        }
        if (vnfs.contains("b")) {
            b = declared(hostB(), "b");
        }
        if (vnfs.contains("c")) {
            c = declared(hostB(), "c");
        }
        if (vnfs.contains("d")) {
            d = declared(hostC(), "d");
        }
    }

    private StareClient declared(String host, String name) throws Exception {
        StareClient vnf = fabric.vnf(host, name);
        fabric.await(vnf.declare(state(vnf)));
        return vnf;
    }

    static String state(StareClient publisher) {
        return "state-" + publisher.name();
    }

    static byte[] value(StareClient publisher, int i) {
        return (state(publisher) + "#" + i).getBytes(StandardCharsets.UTF_8);
    }

    String switchOf(String host) {
        return fabric.topology().hostNamed(host).attachment().switchName();
    }

    /** One subscription of one VNF to one publisher's state, heard by its own probe. */
    record Subscription(StareClient subscriber, StareClient publisher, int stateId, ProbeListener listener) {
        @Override
        public String toString() {
            return subscriber.name() + " <- " + state(publisher);
        }
    }

    Subscription subscribe(StareClient subscriber, StareClient publisher) throws Exception {
        ProbeListener listener = fabric.listener();
        int stateId = fabric.await(subscriber.subscribe(state(publisher), listener));
        return new Subscription(subscriber, publisher, stateId, listener);
    }

    /** Waits until each subscription's switches all forward its state (see {@link StareFabric#awaitRoute}). */
    void awaitRoutes(List<Subscription> subscriptions) {
        for (Subscription s : subscriptions) {
            fabric.awaitRoute(s.stateId(), hostOf(s.publisher()), hostOf(s.subscriber()));
        }
    }

    String hostOf(StareClient vnf) {
        return vnf == a ? hostA() : vnf == d ? hostC() : hostB();
    }

    /** Every VNF subscribes to every other VNF's state. */
    List<Subscription> subscribeAllToAll(List<StareClient> vnfs) throws Exception {
        List<Subscription> subscriptions = new ArrayList<>();
        for (StareClient subscriber : vnfs) {
            for (StareClient publisher : vnfs) {
                if (publisher != subscriber) {
                    subscriptions.add(subscribe(subscriber, publisher));
                }
            }
        }
        return subscriptions;
    }

    /** Updates {@code from..to-1} of each publisher's state, interleaved, all sent before any is awaited. */
    List<PublishResult.Published> publish(List<StareClient> publishers, int from, int to) throws Exception {
        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        for (int i = from; i < to; i++) {
            for (StareClient publisher : publishers) {
                results.add(publisher.publish(state(publisher), value(publisher, i)));
            }
        }
        List<PublishResult.Published> published = new ArrayList<>();
        for (CompletionStage<PublishResult> result : results) {
            published.add(assertInstanceOf(PublishResult.Published.class, fabric.await(result)));
        }
        return published;
    }

    /** The next deliveries are updates {@code from..to-1} of the subscribed state, in order, with their bytes. */
    static void expectUpdates(Subscription s, int from, int to) {
        for (int i = from; i < to; i++) {
            Delivery.Update update = s.listener().probe().expectMessageClass(Delivery.Update.class, WAIT);
            assertEquals(s.stateId(), update.stateId(), s + ": state");
            assertEquals(s.publisher().vnfId(), update.publisherVnfId(), s + ": publisher");
            assertEquals(i, update.update(), s + ": update " + i + " in order, none missing");
            assertArrayEquals(value(s.publisher(), i), update.value(), s + ": bytes of update " + i);
        }
    }

    /**
     * Nothing more (no duplicate, no loss notice) reached these subscriptions: each of their
     * publishers sends update {@code marker}, and it must be the next thing each subscription hears.
     * What a subscription would hear from before it comes ahead of it (one publisher's updates travel
     * in order, and a VNF hears them in order), so no quiet period is needed.
     */
    void expectNothingBeforeMarker(List<Subscription> subscriptions, int marker) throws Exception {
        publish(subscriptions.stream().map(Subscription::publisher).distinct().toList(), marker, marker + 1);
        for (Subscription s : subscriptions) {
            expectUpdates(s, marker, marker + 1);
        }
    }

    /** {@code subscriber} hears a's {@link #MARKER} state on {@code listener} (declared by a first). */
    Subscription subscribeToMarker(StareClient subscriber, ProbeListener listener) throws Exception {
        int stateId = fabric.await(subscriber.subscribe(MARKER, listener));
        return new Subscription(subscriber, a, stateId, listener);
    }

    /** a publishes {@link #MARKER}'s update {@code n}; it must be the next thing each marker subscription hears. */
    void expectMarker(int n, Subscription... markers) throws Exception {
        assertInstanceOf(PublishResult.Published.class, fabric.await(a.publish(MARKER, value(a, n))));
        for (Subscription s : markers) {
            expectUpdates(s, n, n + 1);
        }
    }

    /** Waits, at most {@link #WAIT}, until {@code condition} holds. */
    static void eventually(String what, BooleanSupplier condition) {
        TestTime.eventually(WAIT, () -> assertTrue(condition.getAsBoolean(), "waiting for " + what));
    }

    /** Every link's counters from each of its ends, keyed "link name / end". */
    Map<String, FabricLink.Counters> linkCounters() {
        Map<String, FabricLink.Counters> all = new LinkedHashMap<>();
        for (FabricLink link : fabric.links()) {
            for (String end : link.ends()) {
                all.put(link.name() + " / from " + end, link.counters(end));
            }
        }
        return all;
    }

    // ---- (a) every subscriber gets every update of its states, in order, exactly once

    @ParameterizedTest(name = "{0}")
    @EnumSource(StareProgram.Mode.class)
    void everySubscriberReceivesEveryUpdateInOrderExactlyOnce(StareProgram.Mode mode) throws Exception {
        start(mode, "abcd");
        List<StareClient> vnfs = List.of(a, b, c, d);
        List<Subscription> subscriptions = subscribeAllToAll(vnfs);
        awaitRoutes(subscriptions); // so that every update travels the data plane

        publish(vnfs, 0, UPDATES);

        for (Subscription s : subscriptions) {
            expectUpdates(s, 0, UPDATES);
        }
        expectNothingBeforeMarker(subscriptions, UPDATES);
        int updates = UPDATES + 1; // with the marker
        // Each host received one copy of each remote state's updates, however many of its VNFs
        // subscribe: hostA three states (b, c, d), hostB two (a, d), hostC three (a, b, c).
        assertEquals(3L * updates, fabric.stats(hostA()).publishFramesReceived(), hostA());
        assertEquals(2L * updates, fabric.stats(hostB()).publishFramesReceived(), hostB());
        assertEquals(3L * updates, fabric.stats(hostC()).publishFramesReceived(), hostC());
        // One SUB-register per server per state, however many local subscribers: b and c on hostB
        // both subscribe to state-a and state-d (each other's states are local), so hostB sent two.
        Middleware.Stats h2 = fabric.stats(hostB());
        assertEquals(2, h2.arq().acknowledged(), "SUB-registers acknowledged at " + hostB());
        assertEquals(2L * updates, h2.localDeliveries(), "b and c hear each other locally");
    }

    // ---- (b) two VNFs on one host exchange updates without the network

    @ParameterizedTest(name = "{0}")
    @EnumSource(StareProgram.Mode.class)
    void twoVnfsOnOneHostExchangeUpdatesWithoutTheNetwork(StareProgram.Mode mode) throws Exception {
        start(mode, "bc");
        Subscription atC = subscribe(c, b);
        Subscription atB = subscribe(b, c);
        FabricLink h2 = fabric.link(hostB());
        String s = switchOf(hostB());
        Map<String, FabricLink.Counters> before = linkCounters();
        PortCounters portBefore = fabric.portCounters(hostB());
        long receivedBefore = fabric.stats(hostB()).transport().received();
        long noSubscriberBefore = fabric.switches().get(s).softSwitch().drops(DropReason.NO_SUBSCRIBER);

        publish(List.of(b, c), 0, UPDATES);

        expectUpdates(atC, 0, UPDATES);
        expectUpdates(atB, 0, UPDATES);
        expectNothingBeforeMarker(List.of(atB, atC), UPDATES);
        int updates = UPDATES + 1; // with the marker
        Middleware.Stats stats = fabric.stats(hostB());
        assertEquals(2L * updates, stats.localDeliveries());
        assertEquals(0, stats.arq().acknowledged(), "a locally published state needs no SUB-register");
        assertEquals(0, stats.publishFramesReceived(), "no publish came back to " + hostB());
        assertEquals(receivedBefore, stats.transport().received(), "no frame came back to " + hostB());
        assertEquals(0, h2.counters(s).minus(before.get(h2.name() + " / from " + s)).received(),
                "the switch sent nothing down " + hostB() + "'s link");
        assertEquals(portBefore.sent(), fabric.portCounters(hostB()).sent(), "the switch port sent nothing to " + hostB());
        // No other server subscribes, so the middleware keeps the publishes off the network: no link
        // carried a frame, and the first switch had nothing to drop.
        Map<String, FabricLink.Counters> after = linkCounters();
        assertEquals(2L * updates, stats.keptLocal(), "every update stayed on " + hostB());
        assertEquals(noSubscriberBefore, fabric.switches().get(s).softSwitch().drops(DropReason.NO_SUBSCRIBER),
                s + " had nothing to drop");
        for (Map.Entry<String, FabricLink.Counters> entry : after.entrySet()) {
            assertEquals(0, entry.getValue().minus(before.get(entry.getKey())).received(),
                    entry.getKey() + " carried a frame");
        }
    }

    // ---- (c) after unsubscribe nothing more arrives; another subscriber keeps receiving

    @ParameterizedTest(name = "{0}")
    @EnumSource(StareProgram.Mode.class)
    void afterUnsubscribeNothingMoreArrivesWhileAnotherSubscriberKeepsReceiving(StareProgram.Mode mode)
            throws Exception {
        start(mode, "abcd");
        Subscription atD = subscribe(d, a); // remote, the only subscriber on its host
        Subscription atC = subscribe(c, a); // remote, beside b on the same host
        Subscription atB = subscribe(b, a);
        // d and c also hear a's marker state on the same listeners: once they leave state-a, a
        // marker published after state-a's updates is the next thing they may hear.
        fabric.await(a.declare(MARKER));
        Subscription markerAtD = subscribeToMarker(d, atD.listener());
        Subscription markerAtC = subscribeToMarker(c, atC.listener());
        awaitRoutes(List.of(markerAtD, markerAtC));
        publish(List.of(a), 0, 5);
        for (Subscription s : List.of(atD, atC, atB)) {
            expectUpdates(s, 0, 5);
        }

        fabric.await(d.unsubscribe(state(a))); // hostC leaves the state's tree (SUB-remove)
        fabric.await(c.unsubscribe(state(a))); // hostB stays: b still subscribes
        publish(List.of(a), 5, 10);
        expectUpdates(atB, 5, 10);
        expectMarker(0, markerAtD, markerAtC);
        expectNothingBeforeMarker(List.of(atB), 10);

        // Once hostC's SUB-remove is acknowledged, its switch sends it nothing more of state-a.
        eventually(hostC() + "'s two SUB-registers (state-a, the marker) and its SUB-remove acknowledged",
                () -> fabric.stats(hostC()).arq().acknowledged() == 3);
        String s = switchOf(hostC());
        FabricLink.Counters downBefore = fabric.link(hostC()).counters(s);
        long framesBefore = fabric.stats(hostC()).publishFramesReceived();
        publish(List.of(a), 11, 16);
        expectUpdates(atB, 11, 16);
        expectMarker(1, markerAtD, markerAtC);
        expectNothingBeforeMarker(List.of(atB), 16);
        assertEquals(1, fabric.link(hostC()).counters(s).minus(downBefore).received(),
                "the switch sent " + hostC() + " only the marker after its SUB-remove");
        assertEquals(framesBefore + 1, fabric.stats(hostC()).publishFramesReceived(), "only the marker");
    }

    // ---- (d) loss (and duplication, reordering) on the links: everything still arrives, through RECOVER

    @ParameterizedTest(name = "{0}")
    @EnumSource(StareProgram.Mode.class)
    void withLossOnEveryLinkEveryUpdateIsStillDeliveredInOrderExactlyOnce(StareProgram.Mode mode)
            throws Exception {
        start(mode, "abcd");
        for (FabricLink link : fabric.links()) {
            link.loss(0.05); // host links and, on a tree, switch-to-switch links
        }
        FabricLink shaky = fabric.link(hostC()).duplication(0.1).reordering(0.1);
        List<StareClient> vnfs = List.of(a, b, c, d);
        List<Subscription> subscriptions = subscribeAllToAll(vnfs); // SUB-* under loss too: the ARQ repeats

        publish(vnfs, 0, UPDATES);

        for (Subscription s : subscriptions) {
            expectUpdates(s, 0, UPDATES);
        }
        expectNothingBeforeMarker(subscriptions, UPDATES);
        long dropped = fabric.links().stream().mapToLong(FabricLink::dropped).sum();
        long recovers = 0;
        for (String host : List.of(hostA(), hostB(), hostC())) {
            recovers += fabric.stats(host).recoverRequests();
        }
        assertTrue(dropped > 0, "the links dropped nothing");
        assertTrue(recovers > 0, "no RECOVER was sent, yet " + dropped + " frames were lost");
        assertTrue(shaky.duplicated() > 0 && shaky.reordered() > 0, shaky.toString());
        if (!fabric.switchLinks().isEmpty()) {
            assertTrue(fabric.switchLinks().stream().mapToLong(FabricLink::dropped).sum() > 0,
                    "the switch-to-switch links dropped nothing");
        }
    }

    // ---- (e) a 100 KiB update crosses segmented

    @ParameterizedTest(name = "{0}")
    @EnumSource(StareProgram.Mode.class)
    void aHundredKilobyteUpdateCrossesSegmentedAndArrivesByteIdentical(StareProgram.Mode mode) throws Exception {
        start(mode, "abd");
        Subscription atD = subscribe(d, a);
        Subscription atB = subscribe(b, a);
        awaitRoutes(List.of(atD, atB)); // so that the segments cross the data plane, not RECOVER
        byte[] big = new byte[100 * 1024];
        new Random(7).nextBytes(big);
        long framesBefore = fabric.stats(hostC()).publishFramesReceived();

        PublishResult.Published published = assertInstanceOf(PublishResult.Published.class,
                fabric.await(a.publish(state(a), big)));

        assertTrue(published.segments() > 1, "segments: " + published.segments());
        for (Subscription s : List.of(atD, atB)) {
            Delivery.Update update = s.listener().probe().expectMessageClass(Delivery.Update.class, WAIT);
            assertEquals(published.update(), update.update());
            assertArrayEquals(big, update.value(), s + ": byte-identical");
        }
        expectNothingBeforeMarker(List.of(atD, atB), (int) published.update() + 1);
        assertEquals(published.segments() + 1, fabric.stats(hostC()).publishFramesReceived() - framesBefore,
                "one publish frame per segment reached " + hostC() + ", and the marker's");
        eventually("the backlog confirms all " + published.segments() + " segments",
                () -> fabric.stats(hostA()).unconfirmedAppends() == 0);
    }
}
