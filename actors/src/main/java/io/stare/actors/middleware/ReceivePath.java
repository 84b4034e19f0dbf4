package io.stare.actors.middleware;

import io.stare.actors.controller.ReplicaController;
import io.stare.protocol.DecodeErrorCounters;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.TruncationReport;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.segment.Reassembler;
import io.stare.protocol.segment.RecoveryRequest;
import io.stare.protocol.segment.Segment;
import io.stare.protocol.segment.Segmenter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * MAIN RECEIVE's downstream: decodes frames, routes SUB-acks to the EXT module's ARQ, reassembles
 * publish segments and dispatches whole updates to the subscribers' INT modules.
 *
 * <pre>
 *   frames ─ decode (count errors) ─┐
 *   inputs (Source.queue) ──────────┼─ merge ─ Sink.foreach(handle: the Reassembler's single owner)
 *   ticks ──────────────────────────┘
 * </pre>
 * The {@link Reassembler} lives in the last stage and is touched only there; the EXT actor reaches
 * it by offering {@link Input}s (activate or forget a state, recovered segments, truncation queries).
 * A state receives only while active here: frames of other states are dropped and counted.
 */
final class ReceivePath {

    /** What the EXT module feeds the reassembling stage besides frames. */
    sealed interface Input {
    }

    /** A frame from the network, decoded. */
    private record Packet(StarePacket packet) implements Input {
    }

    /** The server now receives a state; its stream starts at {@code next} (or at the first segment if -1). */
    record Activate(int stateId, int publisherVnfId, long next) implements Input {
    }

    /** The server left a state. */
    record Forget(int stateId) implements Input {
    }

    /** The controller answered a RECOVER. */
    record RecoveredInput(int publisherVnfId, Recovered recovered) implements Input {
    }

    /** The publisher's newest update, from the controller (finds a lost last update). */
    record Latest(int stateId, int publisherVnfId, long latest) implements Input {
    }

    /** The controller asks how far this server has received a state. */
    record Query(TruncationQuery query) implements Input {
    }

    private enum Tick implements Input {
        INSTANCE
    }

    private final MiddlewareSettings settings;
    private final Routes routes;
    private final ActorRef<Middleware.Command> ext;
    private final ActorRef<ReplicaController.Command> controller;
    private final LongSupplier clockMillis;
    private final Segmenter segmenter;
    private final DecodeErrorCounters decodeErrors = new DecodeErrorCounters();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder inactiveDropped = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final LongAdder recoveredSegments = new LongAdder();
    private final LongAdder unrecoverableUpdates = new LongAdder();
    private final LongAdder publishFrames = new LongAdder();
    private final BoundedSourceQueue<Input> inputs;
    private final Sink<byte[], NotUsed> sink;

    // Owned by the handling stage only.
    private final Reassembler reassembler;
    private final Map<Integer, Integer> activePublisher = new HashMap<>();
    private final Map<Integer, Integer> lastSegmentCount = new HashMap<>();

    ReceivePath(MiddlewareSettings settings, Routes routes, ActorRef<Middleware.Command> ext,
                ActorRef<ReplicaController.Command> controller, Materializer materializer, LongSupplier clockMillis) {
        this.settings = settings;
        this.routes = routes;
        this.ext = ext;
        this.controller = controller;
        this.clockMillis = clockMillis;
        this.segmenter = new Segmenter(settings.mtu());
        this.reassembler = new Reassembler(settings.reassembly(), new Dispatch());
        Pair<BoundedSourceQueue<Input>, Source<Input, NotUsed>> queue =
                Source.<Input>queue(settings.controlQueue()).preMaterialize(materializer);
        this.inputs = queue.first();
        this.sink = Flow.<byte[]>create()
                .mapConcat(this::decode)
                .merge(queue.second(), true)
                .merge(Source.tick(settings.tick(), settings.tick(), (Input) Tick.INSTANCE)
                        .mapMaterializedValue(c -> NotUsed.getInstance()), true)
                .to(Sink.foreach(this::handle));
    }

    /** The sink MAIN RECEIVE feeds with whole frames. */
    Sink<byte[], NotUsed> sink() {
        return sink;
    }

    /** Offers an input to the reassembling stage; false if its queue is full (the caller may retry). */
    boolean offer(Input input) {
        return inputs.offer(input) == QueueOfferResult.enqueued();
    }

    DecodeErrorCounters decodeErrors() {
        return decodeErrors;
    }

    /** Updates delivered from the network to local subscribers. */
    long delivered() {
        return delivered.sum();
    }

    /** Publish frames received (whatever became of them). */
    long publishFrames() {
        return publishFrames.sum();
    }

    /** Publish frames of states this server does not (or no longer) receive. */
    long inactiveDropped() {
        return inactiveDropped.sum();
    }

    /** Well-formed frames a server should never get (SUB-register or SUB-remove). */
    long unexpected() {
        return unexpected.sum();
    }

    /** Segments the controller's RECOVER answers brought. */
    long recoveredSegments() {
        return recoveredSegments.sum();
    }

    /** Updates reported to subscribers as unrecoverable. */
    long unrecoverableUpdates() {
        return unrecoverableUpdates.sum();
    }

    void close() {
        completeQuietly(inputs);
    }

    /** Completes a queue whose stream may already be gone (the actor system is shutting down). */
    static void completeQuietly(BoundedSourceQueue<?> queue) {
        try {
            queue.complete();
        } catch (IllegalStateException alreadyCompleted) {
            // Nothing left to stop.
        }
    }

    /** Decode stage: a bad frame is counted and dropped, never thrown. */
    private Iterable<Input> decode(byte[] frame) {
        DecodeResult<StarePacket> decoded = Frames.decode(frame);
        if (!decoded.isOk()) {
            decodeErrors.record(decoded.errorOrNull());
            return java.util.List.of();
        }
        return java.util.List.of(new Packet(decoded.orElseThrow()));
    }

    private void handle(Input input) {
        long now = clockMillis.getAsLong();
        if (input instanceof Packet p) {
            onPacket(p.packet(), now);
        } else if (input instanceof Activate a) {
            activePublisher.put(a.stateId(), a.publisherVnfId());
            if (a.next() >= 0) {
                reassembler.expect(a.stateId(), a.publisherVnfId(), a.next());
            }
        } else if (input instanceof Forget f) {
            activePublisher.remove(f.stateId());
            lastSegmentCount.remove(f.stateId());
            reassembler.remove(f.stateId());
        } else if (input instanceof RecoveredInput r) {
            onRecovered(r, now);
        } else if (input instanceof Latest l) {
            if (activePublisher.containsKey(l.stateId()) && l.latest() >= 0) {
                reassembler.noteLatest(l.stateId(), l.publisherVnfId(), l.latest(), now);
            }
        } else if (input instanceof Query q) {
            onQuery(q.query());
        } else {
            reassembler.poll(now); // Tick
        }
    }

    private void onPacket(StarePacket packet, long now) {
        StareHeader header = packet.header();
        if (header.kind() == MessageKind.SUB_ACK) {
            ext.tell(new Middleware.SubAcked(header));
        } else if (header.kind() != MessageKind.PUBLISH) {
            unexpected.increment();
        } else {
            publishFrames.increment();
            Integer publisher = activePublisher.get(header.stateId());
            if (publisher == null || publisher != header.vnfId()) {
                inactiveDropped.increment();
                return;
            }
            reassembler.accept(header, packet.payload(), now);
        }
    }

    private void onRecovered(RecoveredInput input, long now) {
        Recovered recovered = input.recovered();
        if (!activePublisher.containsKey(recovered.stateId())) {
            return;
        }
        for (Segment segment : recovered.segments()) {
            reassembler.acceptRecovered(segment, now);
        }
        recoveredSegments.add(recovered.segments().size());
        if (!recovered.truncated().isEmpty()) {
            reassembler.declareUnrecoverable(recovered.stateId(), input.publisherVnfId(), recovered.truncated(), now);
        }
        if (recovered.latestUpdate() >= 0) {
            reassembler.noteLatest(recovered.stateId(), input.publisherVnfId(), recovered.latestUpdate(), now);
        }
    }

    /**
     * How far the state was received without a gap: every update before the stream's next one,
     * whole. The segment count of the last update is taken from its length at this server's MTU
     * (publishers share the MTU in a deployment).
     */
    private void onQuery(TruncationQuery query) {
        Integer publisher = activePublisher.get(query.stateId());
        long next = publisher == null ? -1 : reassembler.nextUpdate(query.stateId(), publisher);
        Integer segments = lastSegmentCount.get(query.stateId());
        TruncationReport report = next <= 0 || segments == null
                ? TruncationReport.nothingYet(query.queryId(), query.stateId(), settings.serverId())
                : new TruncationReport(query.queryId(), query.stateId(), settings.serverId(), next - 1, segments - 1);
        controller.tell(new ReplicaController.Truncation(report));
    }

    /** The reassembler's decisions, applied in the same stage. */
    private final class Dispatch implements Reassembler.Listener {
        @Override
        public void onUpdate(int stateId, int vnfId, long update, byte[] value) {
            delivered.increment();
            lastSegmentCount.put(stateId, segmenter.segmentCount(value.length));
            Delivery.Update delivery = new Delivery.Update(stateId, vnfId, update, value);
            for (IntModule subscriber : routes.subscribers(stateId)) {
                subscriber.deliver(delivery);
            }
        }

        @Override
        public void onRecoveryRequest(RecoveryRequest request) {
            ext.tell(new Middleware.RecoveryNeeded(request));
        }

        @Override
        public void onUnrecoverable(int stateId, int vnfId, long first, long last) {
            unrecoverableUpdates.add(last - first + 1);
            Delivery.Loss loss = new Delivery.Loss(stateId, vnfId, first, last, Delivery.Loss.Reason.UNRECOVERABLE);
            for (IntModule subscriber : routes.subscribers(stateId)) {
                subscriber.deliver(loss);
            }
        }
    }
}
