package io.stare.actors.middleware;

import io.stare.actors.controller.ReplicaController;
import io.stare.client.Delivery;
import io.stare.datapath.DataPath;
import io.stare.datapath.DataPathSettings;
import io.stare.datapath.Egress;
import io.stare.datapath.Ingress;
import io.stare.protocol.DecodeErrorCounters;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.TruncationReport;
import io.stare.protocol.segment.Reassembler;
import io.stare.protocol.segment.RecoveryRequest;
import io.stare.protocol.segment.Segment;
import io.stare.protocol.segment.Segmenter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Why above 400 lines: it is the hot path's duty cycle, whose state
 * (the reassembler, the publish log's cursor, the counters) belongs to the one thread that runs it;
 * its stages ({@code DataPath}, {@code Ingress}, {@code Egress}, {@link AppendBatches}) are already apart.
 *
 * <p>The middleware's main path (the paper's MAIN SEND, MAIN RECEIVE and MAIN MESSAGE-HANDLER) on one
 * {@link DataPath}: one thread of its own that owns the sockets, the {@link Reassembler} and the
 * delivery to subscribers, and drains the {@link PublishLog} that VNF threads write. While that
 * thread sleeps, a publishing VNF's thread drains the log itself, under the data path's cycle lock
 * ({@link #published()}): its state is then the VNF thread's for that moment, and a local
 * subscriber's handler runs on the publisher's thread.
 *
 * <pre>
 *   VNF threads ── tryPublish ─▶ PublishLog ──(signal, or sent from the VNF's thread while this one sleeps)
 *                                                       │
 *                                                       ▼
 *   socket ─▶ DatagramPorts ─▶ Ingress ─▶ step():  controls (Activate, Recovered, SUB frames, ...)
 *                  ▲                               received frames: read in place ─▶ SUB-ack to EXT
 *                  │                                 Publish ─▶ reassemble (whole next update: no copy)
 *                  │                                         ─▶ subscribers' INT modules
 *                  └──────── Egress ◀──────────── log records ─▶ frames; local subscribers; Appends
 * </pre>
 * Per cycle nothing is allocated on the steady path: frames are read where they lie, publishes are
 * encoded straight into the socket's buffer. The EXT actor reaches it only by {@link #offer}ing an
 * {@link Input}; it reaches the EXT actor only for SUB-acks and RECOVER requests.
 */
final class MainPath {

    /** What the EXT module hands the main path besides frames. */
    sealed interface Input {
    }

    /**
     * The server now receives a state; its stream starts at {@code next} (or at the first segment if
     * -1, or the controller's latest when segments are tagged). With a {@code key}, only segments
     * whose tag verifies are taken.
     */
    record Activate(int stateId, int publisherVnfId, long next, PublishKey key) implements Input {
    }

    /** The server left a state. */
    record Forget(int stateId) implements Input {
    }

    /** The controller answered a RECOVER. */
    record RecoveredInput(int publisherVnfId, Recovered recovered) implements Input {
    }

    /** A RECOVER the backlog did not answer (not in time, or UNAVAILABLE/BUSY): it does not count towards giving up. */
    record Unanswered(int stateId, int publisherVnfId) implements Input {
    }

    /** The publisher's newest update, from the controller (finds a lost last update). */
    record Latest(int stateId, int publisherVnfId, long latest) implements Input {
    }

    /** The controller asks how far this server has received a state. */
    record Query(TruncationQuery query) implements Input {
    }

    /** A whole frame to send (SUB-register, SUB-remove and their retransmissions). */
    record SendFrame(byte[] frame) implements Input {
    }

    /** The backlog holds updates {@code first..last} of a state published here. */
    record Confirmed(int stateId, long first, long last) implements Input {
    }

    /** Whether another server subscribes to a state published here (unknown: yes). */
    record RemoteSubscribers(int stateId, boolean any) implements Input {
    }

    /**
     * Publishes closer than this (over 20,000/s) are left to the main path's thread, which sends
     * what gathered as one datagram; a lone publish is sent by its VNF's thread.
     */
    private static final long BATCHING_GAP_NANOS = 50_000;

    private final MiddlewareSettings settings;
    private final Transport transport;
    private final PublishLog log;
    private final Routes routes;
    private final ActorRef<Middleware.Command> ext;
    private final ActorRef<ReplicaController.Command> controller;
    private final ActorRef<ReplicaController.Appended> appended;
    private final Segmenter segmenter;
    private final byte[] fullSegmentScratch;
    private final DataPath<Input> dataPath;
    final Counters counters = new Counters();

    // Owned by the data path's thread.
    private final Reassembler reassembler;
    private final StareMessage message = new StareMessage();
    private final StateMap<Integer> activePublisher = new StateMap<>();
    private final StateMap<PublishKey> receiveKeys = new StateMap<>();
    private final StateMap<Integer> lastSegmentCount = new StateMap<>();
    private final StateMap<Boolean> remoteSubscribers = new StateMap<>();
    private final StateMap<Confirmation> confirmations = new StateMap<>();
    private final AppendBatches appendBatches;
    private final PublishLog.Visitor sendRecord = this::sendRecord;
    private final PublishLog.Visitor resendAppend = this::resendAppend;
    private final PublishLog.Confirmations confirmed = this::isConfirmed;
    private final Consumer<Egress> sendFromCaller = this::sendFromCaller;
    /** When a VNF last published (any thread writes it). */
    private volatile long lastPublished = System.nanoTime() - BATCHING_GAP_NANOS;
    /** The attached VNFs' INT modules by VNF ID, published by the EXT module (copy-on-write). */
    private volatile StateMap<IntModule> modules = new StateMap<>();
    /** The keys of the states published here, by the EXT module (copy-on-write): VNF threads send too. */
    private volatile StateMap<PublishKey> sendKeys = new StateMap<>();
    private Egress egress;
    private int sendBudget;
    private long nowMillis;
    private long nowNanos;
    private long lastAppendCheck;
    /** A multi-segment update published here, gathered for local subscribers. */
    private byte[] gathering;
    private int gatheredBytes;

    /** The counters others read (atomic: they are written on the data path's thread). */
    static final class Counters {
        final LongAdder delivered = new LongAdder();
        final LongAdder publishFrames = new LongAdder();
        final LongAdder inactiveDropped = new LongAdder();
        final LongAdder unauthenticated = new LongAdder();
        final LongAdder unexpected = new LongAdder();
        final LongAdder recoveredSegments = new LongAdder();
        final LongAdder unrecoverableUpdates = new LongAdder();
        final LongAdder localDeliveries = new LongAdder();
        final LongAdder keptLocal = new LongAdder();
        final LongAdder segmentsAppended = new LongAdder();
        final LongAdder updatesSent = new LongAdder();
        final LongAdder sentFromVnfThreads = new LongAdder();
        final DecodeErrorCounters decodeErrors = new DecodeErrorCounters();
    }

    /**
     * Starts the main path's data path (its sockets are bound when this returns).
     *
     * @param log the publish log this server's VNFs write (it outlives a restart of the EXT module)
     * @param publishKeys the keys of the states published here so far (they outlive a restart too), so
     *     that what the log still holds leaves tagged
     * @param appended where the backlog confirms appends (an adapter of the EXT module)
     * @throws IOException if a socket cannot be opened
     */
    MainPath(ActorSystem<?> system, MiddlewareSettings settings, PublishLog log,
             Map<Integer, PublishKey> publishKeys, Routes routes,
             ActorRef<Middleware.Command> ext, ActorRef<ReplicaController.Command> controller,
             ActorRef<ReplicaController.Appended> appended) throws IOException {
        this.settings = settings;
        this.log = log;
        this.routes = routes;
        this.ext = ext;
        this.controller = controller;
        this.appended = appended;
        this.segmenter = settings.segmenter();
        this.fullSegmentScratch = new byte[segmenter.segmentPayload()];
        this.reassembler = new Reassembler(settings.reassembly(), new Dispatch());
        this.appendBatches = new AppendBatches(Middleware.APPEND_BATCH_BYTES, Math.max(1, settings.unconfirmedAppends() / 4));
        this.transport = Transports.of(settings, counters.decodeErrors);
        StateMap<PublishKey> keys = new StateMap<>();
        publishKeys.forEach(keys::put);
        this.sendKeys = keys; // before the data path starts draining the log
        // Whatever the log holds unconfirmed from before a restart of the EXT module is owed from
        // its first unreleased update on: that is where each state's confirmations start.
        log.forEachUnconfirmed((state, update) -> false, (state, vnf, update, total, segment, buffer, offset, length,
                record) -> {
            if (confirmations.get(state) == null) {
                confirmations.put(state, new Confirmation(update - 1));
            }
            return true;
        });
        DataPathSettings dataPathSettings = DataPathSettings.fromConfig(system.settings().config())
                .withControlQueue(settings.controlQueue());
        this.dataPath = DataPath.start(system, dataPathSettings, "middleware-" + settings.serverId(),
                transport.ports(dataPathSettings), settings.tick(), this::step);
        transport.started(dataPath);
    }

    Transport transport() {
        return transport;
    }

    /** Hands an input to the main path; false if its queue is full (the caller keeps it and retries). */
    boolean offer(Input input) {
        return dataPath.offer(input);
    }

    /** The EXT module: these INT modules are attached now (by VNF ID). */
    void attached(StateMap<IntModule> byVnf) {
        modules = byVnf;
    }

    /**
     * The EXT module: segments of {@code stateId} published here go tagged under {@code key} (null:
     * untagged). Set before the state's publisher is answered, so its first publish is tagged.
     */
    synchronized void publishKey(int stateId, PublishKey key) {
        StateMap<PublishKey> next = sendKeys.copy();
        if (key == null) {
            next.remove(stateId);
        } else {
            next.put(stateId, key);
        }
        sendKeys = next;
    }

    /**
     * A VNF thread wrote to the log. While the main path sleeps, the caller sends what the log holds
     * itself ({@link DataPath#runIfIdle}): the update leaves without waking the main path's thread.
     * Otherwise, and when publishes follow each other closely (then the main path's wake-up gathers
     * several into one datagram, which spares the switch more than the wake-up costs), the main
     * path's next cycle sends it.
     */
    void published() {
        long now = System.nanoTime();
        long gap = now - lastPublished;
        lastPublished = now; // racy between VNF threads: a hint, not a count
        if (gap < BATCHING_GAP_NANOS || !dataPath.runIfIdle(sendFromCaller)) {
            dataPath.signal();
        }
    }

    /** Completes once every input offered before it has been handled (an unsubscribe waits for it). */
    CompletionStage<Done> barrier() {
        return dataPath.call(ports -> Done.getInstance());
    }

    CompletionStage<Done> close() {
        transport.close();
        return dataPath.close();
    }

    /** One duty cycle: inputs, received frames, the publish log, then timers. */
    private Egress step(Ingress<Input> in) {
        egress = in.egress();
        nowNanos = in.nanoTime();
        nowMillis = nowNanos / 1_000_000;
        List<Input> controls = in.controls();
        for (int i = 0; i < controls.size(); i++) { // indexed: an iterator per cycle is garbage
            handle(controls.get(i));
        }
        for (int i = 0; i < in.frameCount(); i++) {
            if (transport.read(in, i, message)) {
                onMessage();
            }
        }
        if (log.hasUnsent()) {
            sendUnsent();
        }
        if (in.tick()) {
            reassembler.poll(nowMillis);
            sendAppends(appendBatches.drain());
            if (nowNanos - lastAppendCheck >= settings.controlTimeout().toNanos()) {
                lastAppendCheck = nowNanos;
                log.forEachUnconfirmed(confirmed, resendAppend);
                sendAppends(appendBatches.drain());
            }
        }
        return egress;
    }

    private void handle(Input input) {
        if (input instanceof SendFrame send) {
            transport.send(egress, send.frame());
        } else if (input instanceof Confirmed c) {
            Confirmation confirmation = confirmations.get(c.stateId());
            if (confirmation != null) {
                confirmation.confirm(c.first(), c.last());
                log.release(confirmed);
            }
        } else if (input instanceof RemoteSubscribers r) {
            remoteSubscribers.put(r.stateId(), r.any());
        } else if (input instanceof Activate a) {
            activePublisher.put(a.stateId(), a.publisherVnfId());
            if (a.key() == null) {
                receiveKeys.remove(a.stateId());
            } else {
                receiveKeys.put(a.stateId(), a.key());
            }
            if (a.next() >= 0) {
                reassembler.expect(a.stateId(), a.publisherVnfId(), a.next());
            }
        } else if (input instanceof Forget f) {
            activePublisher.remove(f.stateId());
            receiveKeys.remove(f.stateId());
            lastSegmentCount.remove(f.stateId());
            reassembler.remove(f.stateId());
        } else if (input instanceof RecoveredInput r) {
            onRecovered(r);
        } else if (input instanceof Unanswered u) {
            reassembler.recoveryUnanswered(u.stateId(), u.publisherVnfId());
        } else if (input instanceof Latest l) {
            if (activePublisher.get(l.stateId()) == null) {
                return;
            }
            if (l.latest() >= 0) {
                reassembler.noteLatest(l.stateId(), l.publisherVnfId(), l.latest(), nowMillis);
            } else if (receiveKeys.get(l.stateId()) != null) {
                reassembler.expect(l.stateId(), l.publisherVnfId(), 0); // nothing published yet: tags verify from 0
            }
        } else if (input instanceof Query q) {
            onQuery(q.query());
        }
    }

    // ---- MAIN RECEIVE

    private void onMessage() {
        StareMessage m = message;
        if (m.kind == MessageKind.SUB_ACK.code()) {
            ext.tell(new Middleware.SubAcked(m.header()));
            return;
        }
        if (m.kind != MessageKind.PUBLISH.code()) {
            counters.unexpected.increment();
            return;
        }
        counters.publishFrames.increment();
        Integer publisher = activePublisher.get(m.stateId);
        if (publisher == null || publisher != m.vnfId) {
            counters.inactiveDropped.increment();
            return;
        }
        PublishKey key = receiveKeys.get(m.stateId);
        if (key != null && !authentic(m, key)) {
            counters.unauthenticated.increment();
            return; // before the reassembler: a forged segment takes no genuine one's place
        }
        long update = reassembler.acceptInPlace(m.stateId, m.vnfId, m.updateNo, m.totalSegments, nowMillis);
        if (update >= 0) {
            counters.delivered.increment();
            Integer segments = lastSegmentCount.get(m.stateId);
            if (segments == null || segments != 1) {
                lastSegmentCount.put(m.stateId, 1);
            }
            deliver(m.stateId, m.vnfId, update, m.buffer, m.payloadOffset, m.payloadLength, -1);
        } else {
            reassembler.accept(m.header(), m.payloadCopy(), nowMillis);
        }
    }

    /**
     * Whether a Publish segment's tag verifies under its state's key; strips the tag. The update
     * number in the tag is the one the reassembler would give the segment, so a segment replayed
     * from an earlier wrap of the 16-bit number fails. A stream not started yet cannot extend the
     * number: its segments are refused until the controller's latest update starts it.
     */
    private boolean authentic(StareMessage m, PublishKey key) {
        if (m.payloadLength < PublishKey.TAG_LENGTH) {
            return false;
        }
        long update = reassembler.extended(m.stateId, m.vnfId, m.updateNo);
        if (update < 0) {
            return false;
        }
        m.payloadLength -= PublishKey.TAG_LENGTH;
        long tag = 0;
        for (int i = 0; i < PublishKey.TAG_LENGTH; i++) {
            tag = tag << 8 | (m.buffer.get(m.payloadOffset + m.payloadLength + i) & 0xff);
        }
        return key.verifies(tag, update, m.stateId, m.vnfId, m.totalSegments, m.segmentNo, m.buffer, m.payloadOffset,
                m.payloadLength);
    }

    private void onRecovered(RecoveredInput input) {
        Recovered recovered = input.recovered();
        if (activePublisher.get(recovered.stateId()) == null) {
            return;
        }
        for (Segment segment : recovered.segments()) {
            reassembler.acceptRecovered(segment, nowMillis);
        }
        counters.recoveredSegments.add(recovered.segments().size());
        if (!recovered.truncated().isEmpty()) {
            reassembler.declareUnrecoverable(recovered.stateId(), input.publisherVnfId(), recovered.truncated(),
                    nowMillis);
        }
        if (recovered.latestUpdate() >= 0) {
            reassembler.noteLatest(recovered.stateId(), input.publisherVnfId(), recovered.latestUpdate(), nowMillis);
        }
        reassembler.recoveryAnswered(recovered.stateId(), input.publisherVnfId(), nowMillis);
    }

    /**
     * How far the state was received without a gap: every update before the stream's next one,
     * whole, and before the oldest a local VNF still catches up on. The segment count of the last
     * update is taken from its length at this server's MTU (publishers share the MTU in a
     * deployment).
     */
    private void onQuery(TruncationQuery query) {
        Integer publisher = activePublisher.get(query.stateId());
        long next = publisher == null ? -1 : reassembler.nextUpdate(query.stateId(), publisher);
        for (IntModule subscriber : routes.subscribers(query.stateId())) {
            long held = subscriber.oldestHeld(query.stateId()); // a VNF catching up reads from there still
            next = held >= 0 && held < next ? held : next;
        }
        Integer segments = lastSegmentCount.get(query.stateId());
        TruncationReport report = next <= 0 || segments == null
                ? TruncationReport.nothingYet(query.queryId(), query.stateId(), settings.serverId())
                : new TruncationReport(query.queryId(), query.stateId(), settings.serverId(), next - 1, segments - 1);
        controller.tell(new ReplicaController.Truncation(report));
    }

    /** Hands one whole update to every local subscriber of its state but {@code except} (its publisher). */
    private void deliver(int stateId, int vnfId, long update, ByteBuffer buffer, int offset, int length, int except) {
        IntModule[] subscribers = routes.subscribers(stateId);
        for (IntModule subscriber : subscribers) {
            if (subscriber.vnfId() != except) {
                subscriber.deliver(stateId, vnfId, update, buffer, offset, length);
            }
        }
    }

    /** The reassembler's decisions on what it buffered, applied in the same thread. */
    private final class Dispatch implements Reassembler.Listener {
        @Override
        public void onUpdate(int stateId, int vnfId, long update, byte[] value) {
            counters.delivered.increment();
            lastSegmentCount.put(stateId, segmenter.segmentCount(value.length));
            deliver(stateId, vnfId, update, ByteBuffer.wrap(value), 0, value.length, -1);
        }

        @Override
        public void onRecoveryRequest(RecoveryRequest request) {
            ext.tell(new Middleware.RecoveryNeeded(request));
        }

        @Override
        public void onUnrecoverable(int stateId, int vnfId, long first, long last) {
            counters.unrecoverableUpdates.add(last - first + 1);
            Delivery.Loss loss = new Delivery.Loss(stateId, vnfId, first, last, Delivery.Loss.Reason.UNRECOVERABLE);
            for (IntModule subscriber : routes.subscribers(stateId)) {
                subscriber.lost(loss);
            }
        }
    }

    // ---- MAIN SEND and the backlog

    /** What the log holds unsent, up to one cycle's budget. */
    private void sendUnsent() {
        sendBudget = settings.sendQueue();
        log.drainUnsent(sendRecord);
    }

    /** {@link #sendUnsent} on a publishing VNF's thread, while the main path's thread sleeps. */
    private void sendFromCaller(Egress out) {
        egress = out;
        nowNanos = System.nanoTime();
        nowMillis = nowNanos / 1_000_000;
        sendUnsent();
        counters.sentFromVnfThreads.increment();
    }

    /** One record of the log: to the network (unless only local VNFs subscribe), to local subscribers, to the backlog. */
    private boolean sendRecord(int stateId, int vnfId, long update, int totalSegments, int segmentNo, ByteBuffer buffer,
                               int offset, int length, long record) {
        if (sendBudget-- <= 0) {
            dataPath.signal(); // enough for one cycle: let frames in, and come back for the rest
            return false;
        }
        Boolean remote = remoteSubscribers.get(stateId);
        if (remote == null || remote) {
            if (!transport.publish(egress, stateId, vnfId, update, totalSegments, segmentNo, buffer, offset, length,
                    sendKeys.get(stateId))) {
                return false; // the socket holds: this record goes out next cycle
            }
        } else if (segmentNo == 0) {
            counters.keptLocal.increment(); // only local VNFs receive it; the backlog still gets it
        }
        if (confirmations.get(stateId) == null) {
            confirmations.put(stateId, new Confirmation(update - 1));
        }
        deliverLocally(stateId, vnfId, update, totalSegments, segmentNo, buffer, offset, length);
        log.markAppended(record, nowNanos);
        if (settings.eagerAppends()) {
            append(stateId, vnfId, update, totalSegments, segmentNo, buffer, offset, length);
        }
        if (segmentNo == totalSegments - 1) {
            counters.updatesSent.increment();
            IntModule publisher = modules.get(vnfId);
            if (publisher != null) {
                publisher.unsent().updateAndGet(n -> n > 0 ? n - 1 : 0);
            }
        }
        return true;
    }

    /** A publish between two VNFs of this server never goes to the network and back. */
    private void deliverLocally(int stateId, int vnfId, long update, int totalSegments, int segmentNo,
                                ByteBuffer buffer, int offset, int length) {
        IntModule[] subscribers = routes.subscribers(stateId);
        if (subscribers.length == 0 || subscribers.length == 1 && subscribers[0].vnfId() == vnfId) {
            return;
        }
        if (totalSegments == 1) {
            counters.localDeliveries.add(subscribers.length);
            deliver(stateId, vnfId, update, buffer, offset, length, vnfId);
            return;
        }
        if (segmentNo == 0) {
            gathering = new byte[segmenter.segmentPayload() * totalSegments];
            gatheredBytes = 0;
        }
        if (gathering == null) {
            return; // started before the subscriber joined: it recovers nothing it never had
        }
        buffer.get(offset, gathering, gatheredBytes, length);
        gatheredBytes += length;
        if (segmentNo == totalSegments - 1) {
            counters.localDeliveries.add(subscribers.length);
            deliver(stateId, vnfId, update, ByteBuffer.wrap(gathering), 0, gatheredBytes, vnfId);
            gathering = null;
        }
    }

    private void append(int stateId, int vnfId, long update, int totalSegments, int segmentNo, ByteBuffer buffer,
                        int offset, int length) {
        // A Segment keeps a copy of what it is given: a full segment passes through a scratch array.
        byte[] payload = length == fullSegmentScratch.length ? fullSegmentScratch : new byte[length];
        buffer.get(offset, payload);
        List<Segment> full = appendBatches.add(new Segment(stateId, vnfId, update, totalSegments, segmentNo, payload));
        if (full != null) {
            sendAppend(full);
        }
    }

    /** Appends not confirmed within the control timeout are sent again (in repair mode: sent for the first time). */
    private boolean resendAppend(int stateId, int vnfId, long update, int totalSegments, int segmentNo,
                                 ByteBuffer buffer, int offset, int length, long record) {
        if (nowNanos - log.appendedAt(record) >= settings.controlTimeout().toNanos()) {
            log.markAppended(record, nowNanos);
            append(stateId, vnfId, update, totalSegments, segmentNo, buffer, offset, length);
        }
        return true;
    }

    private void sendAppends(List<List<Segment>> batches) {
        for (List<Segment> batch : batches) {
            sendAppend(batch);
        }
    }

    private void sendAppend(List<Segment> batch) {
        controller.tell(new ReplicaController.Append(batch, appended));
        counters.segmentsAppended.add(batch.size());
    }

    private boolean isConfirmed(int stateId, long update) {
        Confirmation confirmation = confirmations.get(stateId);
        return confirmation != null && confirmation.covers(update);
    }
}
