package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.ControlRequest;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.TruncationReport;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every message of the controller's actors crosses Pekko's Jackson CBOR serializer unchanged,
 * actor references included, as it must between the nodes of the cluster in issue 6.
 */
class ControllerSerializationTest {

    /** Pekko's identifier of {@code jackson-cbor}. */
    private static final int JACKSON_CBOR_ID = 33;

    private static ActorTestKit kit;
    private static Serialization serialization;
    private static ActorRef<ControlReply> replies;
    private static ActorRef<ReplicaController.Appended> appended;
    private static ActorRef<TruncationQuery> queries;
    private static ActorRef<ReplicaController.RemoteSubscribers> remote;
    private static ActorRef<StateBacklog.Status> backlogStatus;
    private static ActorRef<IdRegistry.Status> registryStatus;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("controller-serialization", ControllerTestKit.config());
        serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
        replies = kit.<ControlReply>createTestProbe().ref();
        appended = kit.<ReplicaController.Appended>createTestProbe().ref();
        queries = kit.<TruncationQuery>createTestProbe().ref();
        remote = kit.<ReplicaController.RemoteSubscribers>createTestProbe().ref();
        backlogStatus = kit.<StateBacklog.Status>createTestProbe().ref();
        registryStatus = kit.<IdRegistry.Status>createTestProbe().ref();
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    static Stream<Object> everyMessage() {
        Segment segment = new Segment(7, 3, 70_000L, 2, 1, new byte[] {1, 2, (byte) 0xff});
        Recover recover = new Recover(42L, 7, "mw-2", List.of(MissingUpdate.whole(1), new MissingUpdate(2, List.of(1))));
        TruncationReport report = new TruncationReport(9L, 7, "mw-2", 70_000L, 1);
        return Stream.of(
                new ReplicaController.Control(new RegisterVnf("vnf", "mw-1"), replies),
                new ReplicaController.Control(new DeclareState(3, "counters"), replies),
                new ReplicaController.Control(new LookupState("counters"), replies),
                new ReplicaController.Control(new LookupState("counters", "ids-1"), replies),
                new ReplicaController.Control(recover, replies),
                new ReplicaController.Control(new LatestUpdateQuery(7), replies),
                new ReplicaController.Control(new TruncationQuery(1, 7), replies),
                new ReplicaController.Append(List.of(segment), appended),
                new ReplicaController.Appended(7, 70_000L),
                new ReplicaController.SubscriberJoined(7, "mw-2", queries),
                new ReplicaController.SubscriberLeft(7, "mw-2"),
                new ReplicaController.Truncation(report),
                new ReplicaController.PublisherJoined(7, "mw-1", remote, appended, remote),
                new ReplicaController.RemoteSubscribers(7, true),
                new ReplicaController.GetBacklogStatus(7, backlogStatus),
                new ReplicaController.GetRegistryStatus(registryStatus),
                new IdRegistry.Register(new RegisterVnf("vnf", "mw-1"), replies),
                new IdRegistry.Declare(new DeclareState(3, "counters"), replies),
                new IdRegistry.Lookup(new LookupState("counters"), replies),
                new IdRegistry.GetStatus(registryStatus),
                new IdRegistry.Status(3, 4),
                new RegistryState.VnfAssigned("vnf", 3),
                new RegistryState.VnfHomed("vnf", "mw-1"),
                new IdRegistry.Register(new RegisterVnf("vnf", "mw-2", true), replies),
                new RegistryState.StateAssigned("counters", 7, 3, new PublishKey(1L, -2L)),
                new RegistryState.StateAssigned("counters", 7, 3, null),
                new RegistryState.StateKeyed(7, new PublishKey(-3L, 4L)),
                new StateBacklog.Declared(3, "counters"),
                new StateBacklog.AppendSegments(List.of(segment), appended),
                new StateBacklog.RecoverSegments(recover, replies),
                new StateBacklog.QueryLatest(new LatestUpdateQuery(7), replies),
                new StateBacklog.Subscribe("mw-2", queries),
                new StateBacklog.Unsubscribe("mw-2"),
                new StateBacklog.Report(report),
                new StateBacklog.JoinAsPublisher("mw-1", remote, appended, remote),
                new StateBacklog.GetStatus(backlogStatus),
                new StateBacklog.Status(7, 3, 1, 2, 3, 4, 5, 6, 7, 8),
                new BacklogState.Declared(3, "counters"),
                new BacklogState.Stored(List.of(segment)),
                new BacklogState.Truncated(70_000L),
                new BacklogState.SubscriberJoined("mw-2", queries),
                new BacklogState.SubscriberLeft("mw-2"),
                new BacklogState.PublisherJoined("mw-1", remote, appended),
                new StateBacklog.AppendSegments(List.of(segment), null));
    }

    @ParameterizedTest
    @MethodSource("everyMessage")
    void roundTripsThroughJacksonCbor(Object message) {
        Serializer serializer = serialization.findSerializerFor(message);
        assertEquals(JACKSON_CBOR_ID, serializer.identifier(), serializer.getClass().getName());
        byte[] bytes = serialization.serialize(message).get();
        Object back = serialization.deserialize(bytes, JACKSON_CBOR_ID, Serializers.manifestFor(serializer, message))
                .get();
        assertEquals(message, back);
    }

    /** A snapshot of a backlog reads back with the same segments, horizon and members. */
    @Test
    void backlogSnapshotsRoundTrip() {
        BacklogState state = BacklogState.empty(7, new io.stare.actors.backlog.BacklogLimits(1 << 20, 1000));
        state.apply(new BacklogState.Declared(3, "counters"));
        state.apply(new BacklogState.Stored(List.of(new Segment(7, 3, 4, 2, 0, new byte[] {1}),
                new Segment(7, 3, 4, 2, 1, new byte[] {2}), new Segment(7, 3, 5, 1, 0, new byte[] {3}))));
        state.apply(new BacklogState.Truncated(5));
        state.apply(new BacklogState.SubscriberJoined("mw-2", queries));
        state.apply(new BacklogState.PublisherJoined("mw-1", remote, appended));
        BacklogState back = (BacklogState) roundTrip(state);
        assertEquals(state.backlogSnapshot(), back.backlogSnapshot());
        assertEquals(3, back.publisherVnfId());
        assertEquals(state.subscribers(), back.subscribers());
        assertEquals(state.publishers(), back.publishers());
        assertEquals(state.confirmations(), back.confirmations());
        assertEquals("counters", back.stateName());
    }

    /** A snapshot of the registry reads back with the same assignments. */
    @Test
    void registrySnapshotsRoundTrip() {
        RegistryState state = RegistryState.empty(1023, 4_194_303);
        state.apply(new RegistryState.VnfAssigned("a", 0));
        state.apply(new RegistryState.VnfAssigned("b", 1));
        state.apply(new RegistryState.StateAssigned("s", 0, 1, new PublishKey(5L, 6L)));
        state.apply(new RegistryState.StateAssigned("t", 1, 1, null));
        state.apply(new RegistryState.StateKeyed(1, new PublishKey(7L, 8L)));
        state.apply(new RegistryState.VnfHomed("a", "h1"));
        RegistryState back = (RegistryState) roundTrip(state);
        assertEquals(state.vnfIds(), back.vnfIds());
        assertEquals(state.stateIds(), back.stateIds());
        assertEquals(state.publishers(), back.publishers());
        assertEquals(java.util.Map.of("a", "h1"), back.homes());
        assertEquals(new PublishKey(5L, 6L), back.keyOf(0));
        assertEquals(new PublishKey(7L, 8L), back.keyOf(1));
    }

    /** A StateAssigned as journals before Publish keys hold it. */
    record KeylessStateAssigned(String name, int stateId, int publisherVnfId)
            implements io.stare.protocol.CborSerializable {
    }

    /** An event journalled before Publish keys existed reads back keyless; the next declaration draws one. */
    @Test
    void aStateAssignedWithoutAKeyReadsBack() {
        KeylessStateAssigned old = new KeylessStateAssigned("s", 4, 1);
        byte[] bytes = serialization.serialize(old).get();
        Object back = serialization.deserialize(bytes, JACKSON_CBOR_ID, RegistryState.StateAssigned.class.getName())
                .get();
        assertEquals(new RegistryState.StateAssigned("s", 4, 1, null), back);
    }

    /** A snapshot from before names were bound reads back, its names bound at their next registration. */
    @Test
    void aRegistrySnapshotWithoutHomesReadsBack() {
        RegistryState old = RegistryState.fromSnapshot(java.util.Map.of("a", 0), java.util.Map.of(), java.util.Map.of(),
                null, null);
        assertEquals(java.util.Map.of(), old.homes());
        assertEquals(null, old.homeOf("a"));
    }

    /**
     * The price of sending every update to the backlog besides the data plane: an Append batch
     * (CBOR, payloads as byte strings) is barely larger than the payload it carries.
     */
    @Test
    void anAppendBatchCostsLittleMoreThanItsPayload() {
        List<Segment> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 89; i++) { // 89 x (1464 + 32) bytes: the 128 KiB budget of AppendBatches
            batch.add(new Segment(7, 3, 1000 + i / 4, 4, i % 4, new byte[1464]));
        }
        long payload = batch.stream().mapToLong(Segment::payloadLength).sum();
        byte[] bytes = serialization.serialize(new ReplicaController.Append(batch, appended)).get();
        double overhead = (double) bytes.length / payload - 1;
        assertTrue(overhead < 0.05, "CBOR overhead " + overhead);
        assertTrue(bytes.length < 1 << 20, "fits the cluster's 1 MiB frame");
    }

    /** How Stored events were written before segment blocks: their journals must still replay. */
    public record LegacyStored(List<Segment> segments) implements io.stare.protocol.CborSerializable {
    }

    @Test
    void aStoredEventWrittenBeforeSegmentBlocksStillReads() {
        List<Segment> segments = List.of(new Segment(7, 3, 4, 2, 0, new byte[] {1, 2}),
                new Segment(7, 3, 4, 2, 1, new byte[] {3}));
        byte[] legacy = serialization.serialize(new LegacyStored(segments)).get();
        Object back = serialization.deserialize(legacy, JACKSON_CBOR_ID, BacklogState.Stored.class.getName()).get();
        assertEquals(new BacklogState.Stored(segments), back);
        byte[] block = serialization.serialize(new BacklogState.Stored(segments)).get();
        assertTrue(block.length < legacy.length, "a block (" + block.length + " B) is smaller than the maps ("
                + legacy.length + " B)");
    }

    private static Object roundTrip(Object message) {
        Serializer serializer = serialization.findSerializerFor(message);
        assertEquals(JACKSON_CBOR_ID, serializer.identifier(), serializer.getClass().getName());
        byte[] bytes = serialization.serialize(message).get();
        return serialization.deserialize(bytes, JACKSON_CBOR_ID, Serializers.manifestFor(serializer, message)).get();
    }

    /** A request type missing from the annotation would fail only when first sent: check them all. */
    @Test
    void everyControlRequestHasATypeName() {
        Set<Class<?>> named = Arrays.stream(ControlRequestTyped.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::value)
                .collect(Collectors.toSet());
        Set<Class<?>> permitted = Set.of(ControlRequest.class.getPermittedSubclasses());
        assertEquals(permitted, named);
        assertTrue(permitted.size() >= 6);
    }
}
