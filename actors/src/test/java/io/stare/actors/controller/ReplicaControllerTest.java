package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.backlog.BacklogLimits;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.ControlRequest;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.ListStates;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.StateFound;
import io.stare.protocol.control.StateUnknown;
import io.stare.protocol.control.StatesListed;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.TruncationReport;
import io.stare.protocol.control.VnfRegistered;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replica controller against its protocol: ID assignment, the backlog's Append / RECOVER /
 * latest update, truncation rounds (manual time) and the hard cap. Every message crosses the CBOR
 * serializer ({@link ControllerTestKit#config()}).
 */
class ReplicaControllerTest {

    private static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Three rounds of silence are tolerated; the fourth excludes a subscriber. */
    private static final Duration SUBSCRIBER_TIMEOUT = Duration.ofSeconds(3);
    private static final ControllerSettings SETTINGS = new ControllerSettings(
            new BacklogLimits(1 << 20, 10_000), INTERVAL, SUBSCRIBER_TIMEOUT, 1023, 1_000);

    private static ActorTestKit kit;
    private static ManualTime time;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("controller", ControllerTestKit.config());
        time = ManualTime.get(kit.system());
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    // ---- IDs ----

    @Test
    void assignsIdsIdempotentlyByName() {
        Client client = new Client(SETTINGS);
        int a = client.registerVnf("vnf-a");
        int b = client.registerVnf("vnf-b");
        assertEquals(a, client.registerVnf("vnf-a"));
        assertEquals(1, b - a);

        int counters = client.declare(a, "counters");
        int flows = client.declare(a, "flows");
        assertEquals(counters, client.declare(a, "counters"), "a retry gets the same state ID");
        assertEquals(1, flows - counters);
        assertEquals(new StateFound("counters", counters, a), keyless(client.ask(new LookupState("counters"))));
    }

    @Test
    void everyStateGetsAKeyOfItsOwnThatSurvivesARestart() {
        Client before = new Client(SETTINGS, "restart-keys");
        int a = before.registerVnf("a");
        StateDeclared counters = (StateDeclared) before.ask(new DeclareState(a, "counters"));
        StateDeclared flows = (StateDeclared) before.ask(new DeclareState(a, "flows"));
        assertNotNull(counters.key());
        assertNotEquals(counters.key(), flows.key());
        assertEquals(counters, before.ask(new DeclareState(a, "counters")), "a retry gets the same key");
        assertEquals(counters.key(), ((StateFound) before.ask(new LookupState("counters", "b"))).key(),
                "a subscriber learns the publisher's key");
        before.stop();

        Client after = new Client(SETTINGS, "restart-keys");
        assertEquals(flows.key(), ((StateFound) after.ask(new LookupState("flows"))).key());
        assertEquals(counters, after.ask(new DeclareState(a, "counters")));
        after.stop();

        Client off = new Client(SETTINGS.withPublishAuthentication(false), "restart-keys");
        assertNull(((StateDeclared) off.ask(new DeclareState(a, "counters"))).key(),
                "publish-authentication = off hands out no key: segments go untagged");
        assertNull(((StateFound) off.ask(new LookupState("flows"))).key());
        off.stop();
    }

    @Test
    void exhaustedSpacesRefuseNewNamesButStillAnswerKnownOnes() {
        Client client = new Client(SETTINGS.withIdSpaces(1, 0));
        int a = client.registerVnf("vnf-a");
        client.registerVnf("vnf-b");
        assertFailure(ErrorCode.ID_SPACE_EXHAUSTED, client.ask(new RegisterVnf("vnf-c", "mw")));
        assertEquals(a, client.registerVnf("vnf-a"));

        int state = client.declare(a, "only");
        assertFailure(ErrorCode.ID_SPACE_EXHAUSTED, client.ask(new DeclareState(a, "one-too-many")));
        assertEquals(state, client.declare(a, "only"));
    }

    @Test
    void onlyThePublisherMayDeclareAState() {
        Client client = new Client(SETTINGS);
        int a = client.registerVnf("vnf-a");
        int b = client.registerVnf("vnf-b");
        int state = client.declare(a, "counters");
        assertFailure(ErrorCode.NOT_PUBLISHER, client.ask(new DeclareState(b, "counters")));
        assertEquals(state, client.declare(a, "counters"));
        assertFailure(ErrorCode.INVALID_ARGUMENT, client.ask(new DeclareState(999, "by-a-stranger")));
    }

    @Test
    void unknownStatesAreSaidToBeUnknown() {
        Client client = new Client(SETTINGS);
        assertEquals(new StateUnknown("nobody"), client.ask(new LookupState("nobody")));
        assertFailure(ErrorCode.UNKNOWN_STATE,
                client.ask(new Recover(1, 99, "mw", List.of(MissingUpdate.whole(0)))));
        assertFailure(ErrorCode.UNKNOWN_STATE, client.ask(new LatestUpdateQuery(99)));
        assertFailure(ErrorCode.INVALID_ARGUMENT, client.ask(new TruncationQuery(1, 99)));
    }

    // ---- the backlog ----

    @Test
    void appendIsConfirmedOnceTheUpdateIsWhole() {
        Client client = new Client(SETTINGS);
        int state = client.declare(client.registerVnf("vnf"), "counters");
        assertEquals(new LatestUpdate(state, -1), client.ask(new LatestUpdateQuery(state)));

        client.append(update(state, 0, 3));
        client.expectAppended(state, 0);

        List<Segment> update1 = update(state, 1, 2);
        client.append(update1.subList(0, 1));
        // Marker: a query answered after that Append was kept and confirmed, if it was.
        client.ask(new LatestUpdateQuery(state));
        client.appended.expectNoMessage(Duration.ZERO);
        client.append(update1.subList(1, 2));
        client.expectAppended(state, 1);
        client.append(update1);
        client.expectAppended(state, 1);

        assertEquals(new LatestUpdate(state, 1), client.ask(new LatestUpdateQuery(state)));
    }

    @Test
    void recoverReturnsExactlyTheMissingSegments() {
        Client client = new Client(SETTINGS);
        int state = client.declare(client.registerVnf("vnf"), "counters");
        for (int u = 0; u < 3; u++) {
            client.append(update(state, u, 3));
            client.expectAppended(state, u);
        }
        Recovered recovered = (Recovered) client.ask(new Recover(7, state, "mw",
                List.of(MissingUpdate.whole(1), new MissingUpdate(2, List.of(0, 2)), MissingUpdate.whole(5))));
        List<Segment> expected = new ArrayList<>(update(state, 1, 3));
        expected.add(update(state, 2, 3).get(0));
        expected.add(update(state, 2, 3).get(2));
        // Update 5 is not truncated: it is above the horizon and may still come.
        assertEquals(new Recovered(7, state, expected, List.of(), 2), recovered);
    }

    @Test
    void theHardCapDropsTheOldestUpdates() {
        Client client = new Client(SETTINGS.withBacklogLimits(new BacklogLimits(1 << 20, 4)));
        int state = client.declare(client.registerVnf("vnf"), "big");
        for (int u = 0; u < 3; u++) {
            client.append(update(state, u, 2));
            client.expectAppended(state, u);
        }
        Recovered recovered = (Recovered) client.ask(new Recover(1, state, "mw",
                List.of(MissingUpdate.whole(0), MissingUpdate.whole(1), MissingUpdate.whole(2))));
        List<Segment> kept = new ArrayList<>(update(state, 1, 2));
        kept.addAll(update(state, 2, 2));
        assertEquals(new Recovered(1, state, kept, List.of(MissingUpdate.whole(0)), 2), recovered);
    }

    // ---- truncation ----

    @Test
    void truncatesToWhatEveryLiveSubscriberHoldsAndStopsWaitingForASilentOne() {
        Client client = new Client(SETTINGS);
        int state = client.declare(client.registerVnf("vnf"), "counters");
        for (int u = 0; u < 4; u++) {
            client.append(update(state, u, 2));
            client.expectAppended(state, u);
        }
        TestProbe<TruncationQuery> live = kit.createTestProbe();
        TestProbe<TruncationQuery> stuck = kit.createTestProbe();
        client.controller.tell(new ReplicaController.SubscriberJoined(state, "live", live.ref()));
        client.controller.tell(new ReplicaController.SubscriberJoined(state, "stuck", stuck.ref()));
        client.ask(new LatestUpdateQuery(state)); // the backlog has seen both joins (and started its timer)

        // Rounds 1..3: "live" holds update 1 whole and segment 0 of update 2; "stuck" never answers.
        for (long round = 1; round <= 3; round++) {
            time.timePasses(INTERVAL);
            assertEquals(new TruncationQuery(round, state), live.receiveMessage());
            assertEquals(new TruncationQuery(round, state), stuck.receiveMessage());
            client.controller.tell(new ReplicaController.Truncation(new TruncationReport(round, state, "live", 2, 0)));
            assertEquals(List.of(), client.truncated(state, 0), "the silent subscriber still holds update 0 back");
        }

        // Round 4: "stuck" has been silent for 4 s > 3 s and no longer counts.
        time.timePasses(INTERVAL);
        live.receiveMessage();
        stuck.receiveMessage();
        assertEquals(List.of(MissingUpdate.whole(0)), client.truncated(state, 0));
        assertEquals(List.of(MissingUpdate.whole(1)), client.truncated(state, 1));
        assertEquals(List.of(), client.truncated(state, 2), "segment 1 of update 2 is not yet held by 'live'");

        // Once "live" leaves and nobody reports, nothing is truncated any more.
        client.controller.tell(new ReplicaController.SubscriberLeft(state, "live"));
        client.controller.tell(new ReplicaController.SubscriberLeft(state, "stuck"));
        time.timePasses(INTERVAL);
        // Marker: the backlog answers this after the truncation round the time started, if any.
        assertEquals(List.of(), client.truncated(state, 2));
        live.expectNoMessage(Duration.ZERO);
    }

    @Test
    void aReportedLastSegmentReleasesItsUpdate() {
        Client client = new Client(SETTINGS);
        int state = client.declare(client.registerVnf("vnf"), "counters");
        for (int u = 0; u < 3; u++) {
            client.append(update(state, u, 2));
            client.expectAppended(state, u);
        }
        TestProbe<TruncationQuery> subscriber = kit.createTestProbe();
        client.controller.tell(new ReplicaController.SubscriberJoined(state, "mw", subscriber.ref()));
        client.controller.tell(new ReplicaController.Truncation(new TruncationReport(0, state, "mw", 1, 1)));
        assertEquals(List.of(MissingUpdate.whole(1)), client.truncated(state, 1));
        assertEquals(List.of(), client.truncated(state, 2));
        // A report from a subscriber that never joined is ignored.
        client.controller.tell(new ReplicaController.Truncation(new TruncationReport(0, state, "other", 2, 1)));
        assertEquals(List.of(), client.truncated(state, 2));
    }

    @Test
    void settingsComeFromReferenceConf() {
        ControllerSettings defaults = ControllerSettings.fromConfig(kit.system().settings().config());
        assertEquals(new BacklogLimits(64L << 20, 65_536), defaults.backlogLimits());
        assertEquals(Duration.ofSeconds(5), defaults.truncationInterval());
        assertEquals(Duration.ofSeconds(30), defaults.subscriberTimeout());
        assertEquals(1023, defaults.maxVnfId());
        assertEquals(4_194_303, defaults.maxStateId());
    }

    // ---- durability ----

    @Test
    void idsSurviveARestartOfTheController() {
        Client before = new Client(SETTINGS.withIdSpaces(3, 1_000), "restart-ids");
        int a = before.registerVnf("a");
        int b = before.registerVnf("b");
        int flows = before.declare(b, "flows");
        before.stop();

        Client after = new Client(SETTINGS.withIdSpaces(3, 1_000), "restart-ids");
        assertEquals(b, after.registerVnf("b"), "the same name gets the same ID after a restart");
        assertEquals(a, after.registerVnf("a"));
        assertEquals(flows, after.declare(b, "flows"));
        assertFailure(ErrorCode.NOT_PUBLISHER, after.ask(new DeclareState(a, "flows")));
        int c = after.registerVnf("c");
        assertTrue(c != a && c != b, "a new name never gets an ID already given");
        after.registerVnf("d");
        assertFailure(ErrorCode.ID_SPACE_EXHAUSTED, after.ask(new RegisterVnf("e", "mw")));
        after.stop();

        Client third = new Client(SETTINGS.withIdSpaces(3, 1_000), "restart-ids");
        assertFailure(ErrorCode.ID_SPACE_EXHAUSTED, third.ask(new RegisterVnf("e", "mw")));
    }

    @Test
    void aVnfNameIsBoundToItsMiddlewareAcrossRestartsAndMovesOnlyExplicitly() {
        Client before = new Client(SETTINGS, "restart-homes");
        int firewall = ((VnfRegistered) before.ask(new RegisterVnf("firewall", "h1"))).vnfId();
        assertEquals(new VnfRegistered("firewall", firewall), before.ask(new RegisterVnf("firewall", "h1")),
                "its own middleware again (a restart): the same ID");
        assertFailure(ErrorCode.NOT_AUTHORIZED, before.ask(new RegisterVnf("firewall", "h2")));
        before.stop();

        Client after = new Client(SETTINGS, "restart-homes");
        assertFailure(ErrorCode.NOT_AUTHORIZED, after.ask(new RegisterVnf("firewall", "h2"))); // bound after a restart
        assertEquals(new VnfRegistered("firewall", firewall), after.ask(new RegisterVnf("firewall", "h2", true)));
        assertFailure(ErrorCode.NOT_AUTHORIZED, after.ask(new RegisterVnf("firewall", "h1"))); // moved: h1 is refused
        after.stop();

        Client third = new Client(SETTINGS, "restart-homes");
        assertEquals(new VnfRegistered("firewall", firewall), third.ask(new RegisterVnf("firewall", "h2")),
                "the move survives a restart");
        assertFailure(ErrorCode.NOT_AUTHORIZED, third.ask(new RegisterVnf("firewall", "h1")));
        third.stop();
    }

    @Test
    void theSubscribePolicyDecidesWhoMayLookAStateUpToSubscribe() {
        Client policed = new Client(SETTINGS.withSubscribePolicy(new SubscribePolicy(List.of(
                new SubscribePolicy.Rule("ids-*", List.of("flows"))))), "policy");
        int publisher = policed.registerVnf("exporter");
        int flows = policed.declare(publisher, "flows");
        assertEquals(new StateFound("flows", flows, publisher), keyless(policed.ask(new LookupState("flows", "ids-1"))));
        assertFailure(ErrorCode.NOT_AUTHORIZED, policed.ask(new LookupState("flows", "firewall")));
        assertEquals(new StateFound("flows", flows, publisher), keyless(policed.ask(new LookupState("flows"))),
                "a plain lookup subscribes nobody");
        policed.stop();
    }

    @Test
    void aListingNamesTheStatesUnderAPrefixInOrderAndOnlyThoseTheVnfMaySubscribeTo() {
        Client policed = new Client(SETTINGS.withSubscribePolicy(new SubscribePolicy(List.of(
                new SubscribePolicy.Rule("ids-*", List.of("estate/ids/*"))))), "listing");
        for (String instance : List.of("edge-b", "0", "edge-a")) {
            policed.declare(policed.registerVnf("ids-" + instance), "estate/ids/" + instance);
        }
        policed.declare(policed.registerVnf("fw"), "estate/fw/0");
        assertEquals(new StatesListed("estate/ids/", List.of("estate/ids/0", "estate/ids/edge-a", "estate/ids/edge-b"),
                true), policed.ask(new ListStates("estate/ids/", "ids-0")));
        assertEquals(new StatesListed("estate/", List.of("estate/ids/0", "estate/ids/edge-a", "estate/ids/edge-b"),
                true), policed.ask(new ListStates("estate/", "ids-0")), "not estate/fw/0: ids-0 may not subscribe to it");
        assertEquals(new StatesListed("estate/", List.of(), true), policed.ask(new ListStates("estate/", "firewall")));
        assertEquals(4, ((StatesListed) policed.ask(new ListStates("estate/", ""))).stateNames().size(),
                "a listing for nobody in particular names all");
        policed.stop();
    }

    @Test
    void aBacklogSurvivesARestartThroughSnapshotsAndEvents() {
        // A snapshot every 3 events: the restart reads a snapshot, then replays the events after it.
        ControllerSettings settings = SETTINGS.withSnapshotEvery(3);
        Client before = new Client(settings, "restart-backlog");
        int state = before.declare(before.registerVnf("vnf"), "flows");
        for (int u = 0; u < 10; u++) {
            before.append(update(state, u, 2));
            before.expectAppended(state, u);
        }
        TestProbe<TruncationQuery> subscriber = kit.createTestProbe();
        before.controller.tell(new ReplicaController.SubscriberJoined(state, "mw", subscriber.ref()));
        before.controller.tell(new ReplicaController.Truncation(new TruncationReport(0, state, "mw", 3, 1)));
        assertEquals(List.of(MissingUpdate.whole(3)), before.truncated(state, 3));
        before.stop();

        Client after = new Client(settings, "restart-backlog");
        List<MissingUpdate> all = LongStream.range(0, 10).mapToObj(MissingUpdate::whole).toList();
        Recovered recovered = (Recovered) after.ask(new Recover(5, state, "mw", all));
        List<Segment> expected = new ArrayList<>();
        for (int u = 4; u < 10; u++) {
            expected.addAll(update(state, u, 2));
        }
        assertEquals(new Recovered(5, state, expected, all.subList(0, 4), 9), recovered,
                "the truncation and every segment after it came back");
        assertEquals(new LatestUpdate(state, 9), after.ask(new LatestUpdateQuery(state)));
        // The subscriber is still known: its truncation queries resume.
        time.timePasses(INTERVAL);
        assertEquals(state, subscriber.receiveMessage().stateId());
        after.stop();
    }

    @Test
    void thePublisherHearsWhetherAnotherServerSubscribes() {
        Client client = new Client(SETTINGS);
        int state = client.declare(client.registerVnf("vnf"), "flows");
        TestProbe<ReplicaController.RemoteSubscribers> updates = kit.createTestProbe();
        TestProbe<ReplicaController.RemoteSubscribers> answer = kit.createTestProbe();
        client.controller.tell(new ReplicaController.PublisherJoined(state, "h1", updates.ref(), null, answer.ref()));
        assertEquals(new ReplicaController.RemoteSubscribers(state, false), answer.receiveMessage());

        TestProbe<TruncationQuery> queries = kit.createTestProbe();
        client.controller.tell(new ReplicaController.SubscriberJoined(state, "h2", queries.ref()));
        assertEquals(new ReplicaController.RemoteSubscribers(state, true), updates.receiveMessage());
        client.controller.tell(new ReplicaController.SubscriberJoined(state, "h3", queries.ref()));
        client.controller.tell(new ReplicaController.SubscriberLeft(state, "h2"));
        client.controller.tell(new ReplicaController.SubscriberLeft(state, "h3"));
        // In order from the backlog: a change announced for h2's leaving would come first.
        assertEquals(new ReplicaController.RemoteSubscribers(state, false), updates.receiveMessage());
    }

    // ---- helpers ----

    private static List<Segment> update(int state, long update, int totalSegments) {
        return IntStream.range(0, totalSegments)
                .mapToObj(i -> new Segment(state, 0, update, totalSegments, i, new byte[] {(byte) update, (byte) i}))
                .toList();
    }

    /** A lookup's answer without its key (random), to compare with an expected one. */
    private static StateFound keyless(ControlReply reply) {
        StateFound found = (StateFound) reply;
        assertNotNull(found.key());
        return new StateFound(found.stateName(), found.stateId(), found.publisherVnfId());
    }

    private static void assertFailure(ErrorCode code, ControlReply reply) {
        assertEquals(code, assertInstanceOf(ControlFailure.class, reply).code(), reply::toString);
    }

    /** A fresh controller and the probes of one middleware talking to it. */
    private static final class Client {
        final ActorRef<ReplicaController.Command> controller;
        final TestProbe<ControlReply> replies = kit.createTestProbe();
        final TestProbe<ReplicaController.Appended> appended = kit.createTestProbe();

        Client(ControllerSettings settings) {
            controller = kit.spawn(ReplicaController.create(settings));
        }

        /** A controller that persists under {@code namespace}: a second one takes over the first's state. */
        Client(ControllerSettings settings, String namespace) {
            controller = kit.spawn(ReplicaController.create(settings, namespace));
        }

        void stop() {
            kit.stop(controller);
        }

        ControlReply ask(ControlRequest request) {
            controller.tell(new ReplicaController.Control(request, replies.ref()));
            return replies.receiveMessage();
        }

        int registerVnf(String name) {
            return ((VnfRegistered) ask(new RegisterVnf(name, "mw"))).vnfId();
        }

        int declare(int vnfId, String name) {
            return ((StateDeclared) ask(new DeclareState(vnfId, name))).stateId();
        }

        void append(List<Segment> segments) {
            controller.tell(new ReplicaController.Append(segments, appended.ref()));
        }

        void expectAppended(int state, long update) {
            assertEquals(new ReplicaController.Appended(state, update), appended.receiveMessage());
        }

        /** What a RECOVER of the whole update answers as truncated. */
        List<MissingUpdate> truncated(int state, long update) {
            return ((Recovered) ask(new Recover(0, state, "mw", List.of(MissingUpdate.whole(update))))).truncated();
        }
    }
}
