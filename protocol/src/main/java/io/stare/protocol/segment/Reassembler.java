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
 * delivered. When a stream has been incomplete for the reorder grace, the reassembler emits a
 * {@link RecoveryRequest} naming exactly the missing updates and segments; unanswered requests are
 * repeated, and after {@code maxAttempts} the gap is reported as unrecoverable and delivery moves
 * on. Memory is bounded per stream and per publisher: when a bound is hit, the updates furthest
 * from delivery are dropped and later recovered like lost ones, so nothing is silently lost.
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

    private final ReassemblyConfig config;
    private final Listener listener;
    private final Map<Long, Stream> streams = new HashMap<>();
    private final Map<Integer, Long> bytesPerPeer = new HashMap<>();
    private final Counters counters = new Counters();

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
            stream.next = nextUpdate;
            stream.highest = nextUpdate - 1;
        }
    }

    /**
     * Offers a segment received from the network, with its 16-bit update number. The reassembler
     * keeps {@code payload} without copying it: the caller hands it over.
     */
    public Verdict accept(StareHeader header, byte[] payload, long nowMillis) {
        Stream stream = stream(header.stateId(), header.vnfId());
        long update;
        if (stream.next < 0) {
            // The first segment of an unannounced stream fixes its start and its epoch.
            update = header.updateNo();
            stream.next = update;
            stream.highest = update - 1;
        } else {
            update = UpdateNumbers.extend(header.updateNo(), Math.max(stream.next, stream.highest + 1));
        }
        return offer(stream, update, header.totalSegments(), header.segmentNo(), payload, nowMillis);
    }

    /** Offers a segment recovered from the backlog (its update number is already extended). */
    public Verdict acceptRecovered(Segment segment, long nowMillis) {
        Stream stream = stream(segment.stateId(), segment.vnfId());
        if (stream.next < 0) {
            stream.next = segment.update();
            stream.highest = segment.update() - 1;
        }
        return offer(stream, segment.update(), segment.totalSegments(), segment.segmentNo(), segment.payload(),
                nowMillis);
    }

    /** Learns that the publisher has published up to {@code latest}, so lost trailing updates show. */
    public void noteLatest(int stateId, int vnfId, long latest, long nowMillis) {
        Stream stream = stream(stateId, vnfId);
        if (stream.next < 0) {
            stream.next = latest + 1;
            stream.highest = latest;
            return;
        }
        raiseHighest(stream, latest, nowMillis);
        maybeRequest(stream, nowMillis);
    }

    /** The controller no longer has these updates: report them and deliver past them. */
    public void declareUnrecoverable(int stateId, int vnfId, List<MissingUpdate> lost, long nowMillis) {
        Stream stream = streams.get(key(stateId, vnfId));
        if (stream == null || stream.next < 0) {
            return;
        }
        for (MissingUpdate missing : lost) {
            if (missing.update() >= stream.next) {
                stream.skipped.add(missing.update());
                release(stream, stream.pending.remove(missing.update()));
                stream.highest = Math.max(stream.highest, missing.update());
            }
        }
        drain(stream);
        maybeRequest(stream, nowMillis);
    }

    /** Runs timers: requests due, retries due, and gaps to give up on. */
    public void poll(long nowMillis) {
        for (Stream stream : streams.values()) {
            if (stream.incompleteSince >= 0) {
                maybeRequest(stream, nowMillis);
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
                it.remove();
            }
        }
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

    /** The exact missing pieces of a stream right now (empty if complete or unknown). */
    public List<MissingUpdate> missing(int stateId, int vnfId) {
        Stream stream = streams.get(key(stateId, vnfId));
        return stream == null || stream.next < 0 ? List.of() : missing(stream, Integer.MAX_VALUE);
    }

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
        maybeRequest(stream, now);
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
            // The new head's grace runs from when its gap became visible, not from when the stream
            // first went incomplete: a gap seen a moment ago may not have reached the backlog yet
            // (asked for at once, it waited a whole retry), while one seen long ago is asked for now.
            stream.incompleteSince = visibleSince(stream);
            stream.lastRequestAt = -1;
            stream.headAttempts = 0;
        }
    }

    /** Raises the highest known update, noting when, if it leaves a possible gap behind it. */
    private static void raiseHighest(Stream stream, long update, long now) {
        if (update <= stream.highest) {
            return;
        }
        stream.highest = update;
        if (update > stream.next) {
            long[] last = stream.raised.peekLast();
            if (last != null && last[1] == now) {
                last[0] = update;
            } else {
                stream.raised.addLast(new long[] {update, now});
            }
        }
    }

    /** When the gap at the head became visible (the highest known update first reached it), or -1. */
    private static long visibleSince(Stream stream) {
        while (!stream.raised.isEmpty() && stream.raised.peekFirst()[0] < stream.next) {
            stream.raised.pollFirst();
        }
        return stream.raised.isEmpty() ? -1 : stream.raised.peekFirst()[1];
    }

    private void maybeRequest(Stream stream, long now) {
        if (stream.highest < stream.next) {
            stream.incompleteSince = -1;
            stream.lastRequestAt = -1;
            stream.headAttempts = 0;
            return;
        }
        if (stream.incompleteSince < 0) {
            stream.incompleteSince = now;
        }
        boolean due = stream.lastRequestAt < 0
                ? now - stream.incompleteSince >= config.reorderGraceMillis()
                : now - stream.lastRequestAt >= config.retryMillis();
        if (!due) {
            return;
        }
        if (stream.headAttempts >= config.maxAttempts()) {
            giveUp(stream);
            return;
        }
        List<MissingUpdate> missing = missing(stream, config.maxRequestEntries());
        stream.lastRequestAt = now;
        stream.headAttempts++;
        counters.requests++;
        listener.onRecoveryRequest(new RecoveryRequest(stream.stateId, stream.vnfId, missing));
    }

    private List<MissingUpdate> missing(Stream stream, int limit) {
        List<MissingUpdate> missing = new ArrayList<>();
        for (long u = stream.next; u <= stream.highest && missing.size() < limit; u++) {
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

    /** Retries are exhausted: deliver what is whole up to the highest known update, report the rest. */
    private void giveUp(Stream stream) {
        long gapFrom = -1;
        for (long u = stream.next; u <= stream.highest; u++) {
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
            reportUnrecoverable(stream, gapFrom, stream.highest);
        }
        stream.skipped.headSet(stream.highest, true).clear();
        stream.next = stream.highest + 1;
        stream.incompleteSince = -1;
        stream.lastRequestAt = -1;
        stream.headAttempts = 0;
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
        private long unrecoverable;

        public long delivered() {
            return delivered;
        }

        public long duplicates() {
            return duplicates;
        }

        public long inconsistent() {
            return inconsistent;
        }

        /** Segments dropped for memory or reorder bounds (to be recovered). */
        public long deferred() {
            return deferred;
        }

        public long requests() {
            return requests;
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
        /** Highest update known to exist (seen, or announced by the controller). */
        long highest = -1;
        final TreeMap<Long, Partial> pending = new TreeMap<>();
        /** Updates at or after {@code next} that will never come. */
        final TreeSet<Long> skipped = new TreeSet<>();
        long bytes;
        long incompleteSince = -1;
        /** {highest, millis}: when the highest known update rose past {@code next}, oldest first. */
        final ArrayDeque<long[]> raised = new ArrayDeque<>();
        long lastRequestAt = -1;
        int headAttempts;

        Stream(int stateId, int vnfId) {
            this.stateId = stateId;
            this.vnfId = vnfId;
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
