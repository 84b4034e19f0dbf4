package io.stare.protocol.segment;

import io.stare.protocol.header.StareHeader;
import io.stare.protocol.header.UpdateNumbers;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Rebuilds updates from segments on the subscriber side and finds what was lost.
 *
 * <p>Segments are grouped into streams, one per (state, publishing VNF). Each stream delivers its
 * updates whole and in update order, each exactly once; a partial or inconsistent update is never
 * delivered. Missing pieces are fetched from the replica controller's backlog with
 * {@link RecoveryRequest}s; after {@code maxAttempts} requests without the stream's oldest gap
 * moving, the gap is reported as unrecoverable and delivery moves on. Updates the backlog no
 * longer holds ({@link #declareUnrecoverable}) are reported as soon as delivery reaches them.
 * Memory is bounded per stream and per publisher: when a bound is hit, the updates furthest from
 * delivery are dropped and later recovered like lost ones, so nothing is silently lost.
 *
 * <p>Recovery is paced so that it repairs loss without amplifying it (a subscriber that asked for
 * everything still in flight on the data plane once turned 1,863 lost datagrams into 29,178
 * RECOVERs and 29.9 million re-sent segments). Per stream:
 * <ul>
 *   <li><b>Only overdue gaps are asked for.</b> A missing piece is named only once the highest
 *       known update has stood at or beyond it for the reorder grace, so a request never names
 *       what the data plane may still deliver within the grace. Requests start at the oldest gap
 *       and name at most {@code maxRequestEntries} updates.</li>
 *   <li><b>One RECOVER in flight.</b> After a request, the next one waits until the caller reports
 *       the answer ({@link #recoveryAnswered}) or the retry interval has passed (request or answer
 *       lost). An answer that filled some of the oldest gap lets the next request go at once; one
 *       that brought nothing for it waits out the retry interval, as a lost one does, unless its
 *       latest update shows the backlog does not hold the gap yet: then the next request goes a
 *       reorder grace later, doubling up to the retry interval (the update is early, and the stream
 *       beyond it must not overflow the pending buffers meanwhile). Nothing sends
 *       a request while an answer is being offered ({@link #acceptRecovered},
 *       {@link #declareUnrecoverable}), so a request never names what the same answer carries. A
 *       caller that never reports answers still works: the answer is taken as over at the stream's
 *       next network segment or {@link #poll} after its segments.</li>
 *   <li><b>No chase of the backlog's latest while data flows.</b> The controller's latest update
 *       ({@link #noteLatest}, from a poll or an answer) exists to reveal lost trailing updates. It
 *       is remembered, but raises the highest known update only once the stream is idle: no segment
 *       of it has come from the network for the reorder grace. While the data plane still carries
 *       the stream, the backlog may be ahead of it (a busy subscriber lags), and chasing the
 *       backlog would re-request everything in flight. A stream that only looks idle (its switch
 *       or publisher stalled on a loaded machine) is chased {@code LATEST_STEP} (64) updates per
 *       request, so a stall costs at most that many needless re-sends.</li>
 *   <li><b>Give-up per oldest gap.</b> Attempts count requests since the oldest gap last moved
 *       (delivered, or partly filled by an answer); at {@code maxAttempts} every overdue gap is
 *       reported unrecoverable and the whole updates among them are delivered.</li>
 * </ul>
 *
 * <p>Not thread-safe: one owner (a stream stage or an actor) drives it. Time comes in as
 * {@code nowMillis} arguments so tests control it.
 */
public final class Reassembler {

    /** Receives what the reassembler decides. */
    public interface Listener {
        /** A whole update, in order for its stream. */
        void onUpdate(int stateId, int vnfId, long update, byte[] value);

        /** Missing pieces that should be fetched from the replica controller. */
        void onRecoveryRequest(RecoveryRequest request);

        /** Updates {@code first..last} of a stream will never be delivered. */
        void onUnrecoverable(int stateId, int vnfId, long first, long last);
    }

    /** What happened to one offered segment. */
    public enum Verdict {
        /** Stored (and possibly completed an update). */
        ACCEPTED,
        /** Already held, or its update was already delivered or given up. */
        DUPLICATE,
        /** Its TOT_SEG disagrees with other segments of the same update; dropped. */
        INCONSISTENT,
        /** Dropped to stay within memory or reorder bounds; it will be requested again. */
        DEFERRED
    }

    /** Updates the backlog's latest raises an idle stream's highest known update by at most, per request. */
    static final int LATEST_STEP = 64;

    /** {@code lastNetworkAt} of a stream that never had a segment from the network. */
    private static final long NEVER = Long.MIN_VALUE;

    private final ReassemblyConfig config;
    private final Listener listener;
    private final Map<Long, Stream> streams = new HashMap<>();
    private final Map<Integer, Long> bytesPerPeer = new HashMap<>();
    private final Counters counters = new Counters();
    /** The stream the fast path used last: most traffic is one stream at a time. */
    private Stream last;

    /** A reassembler with the given limits and timers, reporting to {@code listener}. */
    public Reassembler(ReassemblyConfig config, Listener listener) {
        this.config = config;
        this.listener = listener;
    }

    /** Sets where a stream starts (from the controller's latest update), before any segment arrives. */
    public void expect(int stateId, int vnfId, long nextUpdate) {
        if (nextUpdate < 0) {
            throw new IllegalArgumentException("next update " + nextUpdate + " is negative");
        }
        Stream stream = stream(stateId, vnfId);
        if (stream.next < 0) {
            stream.start(nextUpdate);
        }
    }

    /**
     * Offers a segment received from the network, with its 16-bit update number. The reassembler
     * keeps {@code payload} without copying it: the caller hands it over. Whatever the verdict, the
     * segment shows that the data plane is carrying the stream (see {@link #noteLatest}).
     */
    public Verdict accept(StareHeader header, byte[] payload, long nowMillis) {
        Stream stream = stream(header.stateId(), header.vnfId());
        long update;
        if (stream.next < 0) {
            // The first segment of an unannounced stream fixes its start and its epoch.
            update = header.updateNo();
            stream.start(update);
        } else {
            update = UpdateNumbers.extend(header.updateNo(), Math.max(stream.next, stream.highest + 1));
        }
        // Even a stale duplicate counts: a data plane behind the backlog is still a flowing one.
        stream.lastNetworkAt = nowMillis;
        Verdict verdict = offer(stream, update, header.totalSegments(), header.segmentNo(), payload, nowMillis);
        maybeRequest(stream, nowMillis, false);
        return verdict;
    }

    /**
     * The fast path for a segment from the network that is a whole update (one segment) and exactly
     * the next its stream delivers, with nothing held or skipped ahead of it: counts it as delivered
     * and returns its extended update number, and the caller hands it to the subscribers from its
     * own buffer, before anything else of the stream. Otherwise returns -1 and changes nothing: the
     * caller offers the segment through {@link #accept} (with a copy of its payload). The listener is
     * not called either way; what follows is the same as after {@link #accept} delivered it.
     */
    public long acceptInPlace(int stateId, int vnfId, int updateNo, int totalSegments, long nowMillis) {
        if (totalSegments != 1) {
            return -1;
        }
        Stream stream = last;
        if (stream == null || stream.stateId != stateId || stream.vnfId != vnfId) {
            stream = streams.get(key(stateId, vnfId));
            if (stream == null) {
                return -1;
            }
            last = stream;
        }
        if (stream.next < 0 || !stream.pending.isEmpty() || !stream.skipped.isEmpty()) {
            return -1;
        }
        long update = UpdateNumbers.extend(updateNo, Math.max(stream.next, stream.highest + 1));
        if (update != stream.next) {
            return -1;
        }
        stream.lastNetworkAt = nowMillis;
        raiseHighest(stream, update, nowMillis);
        counters.delivered++;
        stream.next++;
        stream.headAttempts = 0;
        maybeRequest(stream, nowMillis, false);
        return update;
    }

    /**
     * Offers a segment recovered from the backlog (its update number is already extended). It never
     * sends a request itself: the rest of the same answer is still to be offered.
     */
    public Verdict acceptRecovered(Segment segment, long nowMillis) {
        Stream stream = stream(segment.stateId(), segment.vnfId());
        if (stream.next < 0) {
            stream.start(segment.update());
        }
        if (stream.inFlight) {
            stream.recoveredSinceRequest = true;
        }
        return offer(stream, segment.update(), segment.totalSegments(), segment.segmentNo(), segment.sharedPayload(),
                nowMillis);
    }

    /**
     * Learns from the controller (a latest-update poll or a RECOVER answer) that the publisher has
     * published up to {@code latest}, so lost trailing updates show. The number is remembered, but
     * it raises the stream's highest known update only while the stream is idle (no segment from the
     * network for the reorder grace); while data flows, the data plane itself reveals gaps and the
     * backlog's latest may be ahead of what is still in flight. A stream not started yet starts
     * after {@code latest}.
     */
    public void noteLatest(int stateId, int vnfId, long latest, long nowMillis) {
        Stream stream = stream(stateId, vnfId);
        if (stream.next < 0) {
            stream.start(latest + 1);
            return;
        }
        stream.latestNoted = Math.max(stream.latestNoted, latest);
        maybeRequest(stream, nowMillis, true); // it may be part of an answer's report
    }

    /**
     * Reports that the answer to the stream's last {@link RecoveryRequest} has arrived and been
     * offered: call it after {@link #acceptRecovered} for each of its segments,
     * {@link #declareUnrecoverable} for its truncated updates and {@link #noteLatest} for its latest
     * update. It ends the request's time in flight: if the answer filled some of the oldest gap, the
     * next request (if any gap is overdue) goes out at once, from within this call; if it brought
     * nothing for it, the next one waits until the retry interval since the request has passed.
     *
     * <p>A caller that does not call this still works: once recovered segments or truncations have
     * been offered, the next network segment or {@link #poll} of the stream takes the answer as over
     * (never {@link #noteLatest}, which may be part of the same answer's report); an answer with
     * neither is then noticed only by the retry interval. A call with no request in flight (a
     * repeated call, or an answer that came after its retry was sent) is ignored.
     */
    public void recoveryAnswered(int stateId, int vnfId, long nowMillis) {
        Stream stream = streams.get(key(stateId, vnfId));
        if (stream == null || !stream.inFlight) {
            return;
        }
        answered(stream, nowMillis);
        maybeRequest(stream, nowMillis, false);
    }

    /**
     * Reports that the stream's last {@link RecoveryRequest} got no answer: the backlog's node did
     * not answer in time, or said it cannot serve now (a controller node that crashed, a shard being
     * handed over, a busy backlog). Such a request does not count towards {@code maxAttempts}: an
     * absent backlog is no evidence that the update is lost, so recovery keeps asking, at the retry
     * interval, until the shard is back. Only answers from a backlog that lacks the update count.
     */
    public void recoveryUnanswered(int stateId, int vnfId) {
        Stream stream = streams.get(key(stateId, vnfId));
        if (stream == null || !stream.inFlight) {
            return;
        }
        stream.inFlight = false;
        stream.headAttempts = Math.max(0, stream.headAttempts - 1);
        counters.unanswered++;
    }

    /**
     * The controller no longer has these updates (an answer's truncated ones): report them as
     * delivery reaches them and deliver past them. Like {@link #acceptRecovered}, it sends no request.
     */
    public void declareUnrecoverable(int stateId, int vnfId, List<MissingUpdate> lost, long nowMillis) {
        Stream stream = streams.get(key(stateId, vnfId));
        if (stream == null || stream.next < 0) {
            return;
        }
        if (stream.inFlight) {
            stream.recoveredSinceRequest = true;
        }
        for (MissingUpdate missing : lost) {
            if (missing.update() >= stream.next) {
                stream.skipped.add(missing.update());
                release(stream, stream.pending.remove(missing.update()));
                raiseHighest(stream, missing.update(), nowMillis);
            }
        }
        drain(stream);
    }

    /** Runs timers: requests due, retries due, gaps to give up on, and a latest to apply once idle. */
    public void poll(long nowMillis) {
        for (Stream stream : streams.values()) {
            if (stream.next >= 0 && (stream.highest >= stream.next || stream.latestNoted > stream.highest
                    || stream.recoveredSinceRequest)) {
                maybeRequest(stream, nowMillis, false);
            }
        }
    }

    /** Forgets every stream of a state (the last local subscriber left). */
    public void remove(int stateId) {
        Iterator<Stream> it = streams.values().iterator();
        while (it.hasNext()) {
            Stream stream = it.next();
            if (stream.stateId == stateId) {
                for (Partial partial : stream.pending.values()) {
                    release(stream, partial);
                }
                if (stream == last) {
                    last = null;
                }
                it.remove();
            }
        }
    }

    /**
     * The full update number a segment with wire number {@code updateNo} would take in its stream,
     * as {@link #accept} and {@link #acceptInPlace} extend it, or -1 if the stream has not started
     * (its first segment would fix the start). Changes nothing: a segment is checked with it before
     * it is offered.
     */
    public long extended(int stateId, int vnfId, int updateNo) {
        Stream stream = last;
        if (stream == null || stream.stateId != stateId || stream.vnfId != vnfId) {
            stream = streams.get(key(stateId, vnfId));
        }
        if (stream == null || stream.next < 0) {
            return -1;
        }
        return UpdateNumbers.extend(updateNo, Math.max(stream.next, stream.highest + 1));
    }

    /** The next update a stream will deliver, or -1 if the stream has not started. */
    public long nextUpdate(int stateId, int vnfId) {
        Stream stream = streams.get(key(stateId, vnfId));
        return stream == null ? -1 : stream.next;
    }

    /** Payload bytes currently buffered for one publisher across its streams. */
    public long bufferedBytes(int vnfId) {
        return bytesPerPeer.getOrDefault(vnfId, 0L);
    }

    /**
     * The exact missing pieces of a stream right now, up to its highest known update (empty if
     * complete or unknown), whether or not they are overdue yet.
     */
    public List<MissingUpdate> missing(int stateId, int vnfId) {
        Stream stream = streams.get(key(stateId, vnfId));
        return stream == null || stream.next < 0 ? List.of() : missing(stream, stream.highest, Integer.MAX_VALUE);
    }

    /** Whether a {@link RecoveryRequest} of the stream awaits its answer (neither reported nor timed out). */
    public boolean recoveryInFlight(int stateId, int vnfId, long nowMillis) {
        Stream stream = streams.get(key(stateId, vnfId));
        return stream != null && stream.inFlight && nowMillis - stream.lastRequestAt < config.retryMillis();
    }

    /** Running totals since this reassembler was created. */
    public Counters counters() {
        return counters;
    }

    private Verdict offer(Stream stream, long update, int total, int segmentNo, byte[] payload, long now) {
        if (update < stream.next || stream.skipped.contains(update)) {
            counters.duplicates++;
            return Verdict.DUPLICATE;
        }
        raiseHighest(stream, update, now);
        Partial partial = stream.pending.get(update);
        Verdict verdict;
        if (partial != null && partial.total != total) {
            counters.inconsistent++;
            verdict = Verdict.INCONSISTENT;
        } else if (partial != null && partial.parts[segmentNo] != null) {
            counters.duplicates++;
            verdict = Verdict.DUPLICATE;
        } else if (!makeRoom(stream, update, partial == null, payload.length)) {
            counters.deferred++;
            verdict = Verdict.DEFERRED;
        } else {
            if (partial == null) {
                partial = new Partial(total);
                stream.pending.put(update, partial);
            }
            partial.parts[segmentNo] = payload;
            partial.received++;
            partial.bytes += payload.length;
            stream.bytes += payload.length;
            bytesPerPeer.merge(stream.vnfId, (long) payload.length, Long::sum);
            verdict = Verdict.ACCEPTED;
            drain(stream);
        }
        return verdict;
    }

    /**
     * Frees space for {@code length} more bytes of {@code update} (and a new pending entry if
     * {@code newEntry}) by dropping whole updates above it, furthest first.
     */
    private boolean makeRoom(Stream stream, long update, boolean newEntry, int length) {
        while (stream.bytes + length > config.maxBytesPerStream()
                || bytesPerPeer.getOrDefault(stream.vnfId, 0L) + length > config.maxBytesPerPeer()
                || (newEntry && stream.pending.size() >= config.maxPendingUpdates())) {
            Map.Entry<Long, Partial> furthest = stream.pending.lastEntry();
            if (furthest == null || furthest.getKey() <= update) {
                return false;
            }
            stream.pending.pollLastEntry();
            release(stream, furthest.getValue());
            counters.deferred += furthest.getValue().received;
        }
        return true;
    }

    private void release(Stream stream, Partial partial) {
        if (partial != null) {
            stream.bytes -= partial.bytes;
            bytesPerPeer.merge(stream.vnfId, (long) -partial.bytes, Long::sum);
        }
    }

    /** Delivers every complete or given-up update at the head of the stream. */
    private void drain(Stream stream) {
        long skippedFrom = -1;
        while (true) {
            if (stream.skipped.remove(stream.next)) {
                if (skippedFrom < 0) {
                    skippedFrom = stream.next;
                }
                stream.next++;
                continue;
            }
            if (skippedFrom >= 0) {
                reportUnrecoverable(stream, skippedFrom, stream.next - 1);
                skippedFrom = -1;
            }
            Partial head = stream.pending.get(stream.next);
            if (head == null || head.received < head.total) {
                return;
            }
            stream.pending.remove(stream.next);
            release(stream, head);
            counters.delivered++;
            listener.onUpdate(stream.stateId, stream.vnfId, stream.next, head.assemble());
            stream.next++;
            // A new head gets its own attempts. It does not re-arm a request in flight: the answer
            // being offered may fill the next gaps too, and asking again now would re-send them.
            stream.headAttempts = 0;
        }
    }

    /** Raises the highest known update, noting when, so its gaps are asked for only once overdue. */
    private void raiseHighest(Stream stream, long update, long now) {
        if (update <= stream.highest) {
            return;
        }
        stream.highest = update;
        settle(stream, now);
        long[] last = stream.raised.peekLast();
        if (last != null && last[1] >= now) {
            // Same millisecond (or a clock that stepped back): one entry, at the later time.
            last[0] = update;
        } else {
            stream.raised.addLast(new long[] {update, now});
        }
    }

    /**
     * Moves raises older than the reorder grace into {@code settled} and returns it: every
     * update up to it has been known to exist for the grace, so what is missing there is overdue.
     * The queue holds only raises within one grace, one per millisecond at most.
     */
    private long settle(Stream stream, long now) {
        while (!stream.raised.isEmpty() && now - stream.raised.peekFirst()[1] >= config.reorderGraceMillis()) {
            stream.settled = Math.max(stream.settled, stream.raised.pollFirst()[0]);
        }
        return stream.settled;
    }

    /**
     * Ends the request in flight. An answer that filled some of the oldest gap shows the backlog can
     * serve it: the next request may go at once, with fresh attempts. One that brought nothing for
     * it leaves the retry interval running, as if lost.
     */
    private void answered(Stream stream, long now) {
        stream.inFlight = false;
        stream.recoveredSinceRequest = false;
        if (stream.next > stream.requestHead || held(stream, stream.requestHead) > stream.requestHeadHeld) {
            stream.notBefore = now;
            stream.headAttempts = 0;
            stream.earlyAnswers = 0;
        } else if (stream.latestNoted >= 0 && stream.latestNoted < stream.requestHead) {
            // The backlog does not hold the oldest gap yet (the publisher's appends lag its data
            // plane, as on a loaded machine): the update is early, not lost. Waiting out the whole
            // retry interval would let the stream beyond the gap overflow the bounded pending
            // buffers, and everything dropped there would be recovered too; ask again after a
            // reorder grace, doubling up to the retry interval.
            int shift = Math.min(stream.earlyAnswers++, 16);
            stream.notBefore = Math.min(stream.notBefore, now + Math.min(config.retryMillis(),
                    config.reorderGraceMillis() << shift));
        }
    }

    /**
     * Sends the stream's next request if one is due, or gives up. {@code answerMayContinue}: the call
     * may come in the middle of an answer's report, so an unreported answer is not taken as over yet.
     */
    private void maybeRequest(Stream stream, long now, boolean answerMayContinue) {
        if (stream.inFlight && stream.recoveredSinceRequest && !answerMayContinue) {
            // A caller that does not report answers: recovered segments came since the request, and
            // this call (a network segment or a tick) comes after them, so the answer is over.
            answered(stream, now);
        }
        if (stream.latestNoted > stream.highest
                && (stream.lastNetworkAt == NEVER || now - stream.lastNetworkAt >= config.reorderGraceMillis())) {
            // Idle: what the backlog has beyond what arrived is probably not on its way any more.
            // Probably: a stalled switch or publisher looks idle too, and then all of it is in
            // flight (on a loaded machine, 1,000 updates once). So the chase goes a step at a
            // time; each answer that brings the step lets the next go at once.
            raiseHighest(stream, Math.min(stream.latestNoted, stream.highest + LATEST_STEP), now);
        }
        long settled = settle(stream, now);
        if (stream.highest < stream.next) {
            stream.headAttempts = 0;
            stream.earlyAnswers = 0;
            return;
        }
        if (stream.next > settled || now < stream.notBefore) {
            return; // the data plane may still fill the oldest gap, or a request is in flight
        }
        if (stream.headAttempts >= config.maxAttempts()) {
            giveUp(stream, settled);
            return;
        }
        List<MissingUpdate> missing = missing(stream, settled, config.maxRequestEntries());
        stream.inFlight = true;
        stream.recoveredSinceRequest = false;
        stream.lastRequestAt = now;
        stream.notBefore = now + config.retryMillis();
        stream.requestHead = stream.next;
        stream.requestHeadHeld = held(stream, stream.next);
        stream.headAttempts++;
        counters.requests++;
        listener.onRecoveryRequest(new RecoveryRequest(stream.stateId, stream.vnfId, missing));
    }

    /** Segments held of a pending update, 0 if none. */
    private static int held(Stream stream, long update) {
        Partial partial = stream.pending.get(update);
        return partial == null ? 0 : partial.received;
    }

    /** The missing pieces from the head up to {@code last}, at most {@code limit} updates. */
    private List<MissingUpdate> missing(Stream stream, long last, int limit) {
        List<MissingUpdate> missing = new ArrayList<>();
        for (long u = stream.next; u <= last && missing.size() < limit; u++) {
            if (stream.skipped.contains(u)) {
                continue;
            }
            Partial partial = stream.pending.get(u);
            if (partial == null) {
                missing.add(MissingUpdate.whole(u));
            } else if (partial.received < partial.total) {
                missing.add(new MissingUpdate(u, partial.absent()));
            }
        }
        return missing;
    }

    /**
     * Retries are exhausted: deliver what is whole up to {@code last} (the overdue part of the
     * stream), report the rest, and carry on from there. Later gaps are not overdue yet and keep
     * their chance.
     */
    private void giveUp(Stream stream, long last) {
        long gapFrom = -1;
        for (long u = stream.next; u <= last; u++) {
            Partial partial = stream.pending.remove(u);
            boolean whole = partial != null && partial.received == partial.total;
            if (whole || stream.skipped.contains(u)) {
                if (gapFrom >= 0) {
                    reportUnrecoverable(stream, gapFrom, u - 1);
                    gapFrom = -1;
                }
            } else if (gapFrom < 0) {
                gapFrom = u;
            }
            release(stream, partial);
            if (whole) {
                counters.delivered++;
                listener.onUpdate(stream.stateId, stream.vnfId, u, partial.assemble());
            }
        }
        if (gapFrom >= 0) {
            reportUnrecoverable(stream, gapFrom, last);
        }
        stream.skipped.headSet(last, true).clear();
        stream.next = last + 1;
        stream.inFlight = false;
        stream.notBefore = Long.MIN_VALUE;
        stream.headAttempts = 0;
        drain(stream);
    }

    private void reportUnrecoverable(Stream stream, long first, long last) {
        counters.unrecoverable += last - first + 1;
        listener.onUnrecoverable(stream.stateId, stream.vnfId, first, last);
    }

    private Stream stream(int stateId, int vnfId) {
        return streams.computeIfAbsent(key(stateId, vnfId), k -> new Stream(stateId, vnfId));
    }

    private static long key(int stateId, int vnfId) {
        return ((long) stateId << 32) | vnfId;
    }

    /** Running totals, for metrics. */
    public static final class Counters {
        private long delivered;
        private long duplicates;
        private long inconsistent;
        private long deferred;
        private long requests;
        private long unanswered;
        private long unrecoverable;

        /** Updates delivered whole. */
        public long delivered() {
            return delivered;
        }

        /** Segments already held, or of updates already delivered or given up. */
        public long duplicates() {
            return duplicates;
        }

        /** Segments dropped because their TOT_SEG disagreed with their update's other segments. */
        public long inconsistent() {
            return inconsistent;
        }

        /** Segments dropped for memory or reorder bounds (to be recovered). */
        public long deferred() {
            return deferred;
        }

        /** Recovery requests emitted, retries included. */
        public long requests() {
            return requests;
        }

        /** Recovery requests the backlog did not answer (they do not count towards giving up). */
        public long unanswered() {
            return unanswered;
        }

        /** Updates reported as never to be delivered. */
        public long unrecoverable() {
            return unrecoverable;
        }
    }

    private static final class Stream {
        final int stateId;
        final int vnfId;
        /** Next update to deliver; -1 until the stream's start is known. */
        long next = -1;
        /** Highest update known to exist (seen, or announced by the controller while idle). */
        long highest = -1;
        final TreeMap<Long, Partial> pending = new TreeMap<>();
        /** Updates at or after {@code next} that will never come. */
        final TreeSet<Long> skipped = new TreeSet<>();
        long bytes;
        /** The highest known update as it stood a reorder grace ago: gaps up to it are overdue. */
        long settled = -1;
        /** {highest, millis}: raises of the highest known update within the last grace, oldest first. */
        final ArrayDeque<long[]> raised = new ArrayDeque<>();
        /** Newest update the controller reported; applied to {@code highest} once the stream is idle. */
        long latestNoted = -1;
        /** When a segment of the stream last came from the network, or {@code NEVER}. */
        long lastNetworkAt = NEVER;
        /** Whether the last request's answer has not been reported yet. */
        boolean inFlight;
        /** Whether recovered segments or truncations came since the last request: its answer, probably. */
        boolean recoveredSinceRequest;
        long lastRequestAt = -1;
        /** No request before this time: the retry interval after a request, unless an answer re-armed it. */
        long notBefore = Long.MIN_VALUE;
        /** The head, and how many of its segments were held, when the last request went out. */
        long requestHead = -1;
        int requestHeadHeld;
        int headAttempts;
        /** Answers in a row that found the oldest gap beyond the backlog's latest (not held yet). */
        int earlyAnswers;

        Stream(int stateId, int vnfId) {
            this.stateId = stateId;
            this.vnfId = vnfId;
        }

        void start(long first) {
            next = first;
            highest = first - 1;
            settled = first - 1;
        }
    }

    private static final class Partial {
        final int total;
        final byte[][] parts;
        int received;
        int bytes;

        Partial(int total) {
            this.total = total;
            this.parts = new byte[total][];
        }

        List<Integer> absent() {
            List<Integer> absent = new ArrayList<>(total - received);
            for (int i = 0; i < total; i++) {
                if (parts[i] == null) {
                    absent.add(i);
                }
            }
            return absent;
        }

        byte[] assemble() {
            byte[] value = new byte[bytes];
            int offset = 0;
            for (byte[] part : parts) {
                System.arraycopy(part, 0, value, offset, part.length);
                offset += part.length;
            }
            return value;
        }
    }
}
