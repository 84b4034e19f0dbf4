package io.stare.bench.scale;

import java.util.Arrays;
import org.HdrHistogram.Histogram;

/**
 * The account of one recovery run: for every measured update and every subscriber, whether the
 * network lost it on the way (on the publisher's link or on the subscriber's link), when it passed
 * the subscriber's link, and when and how it ended up (delivered, or reported unrecoverable). From
 * that it classifies each delivery and measures each class; pure logic, fed by the link observers
 * and the subscribers' listeners (any thread; every method is synchronized).
 *
 * <p>Classes of a delivered (subscriber, update):
 * <ul>
 *   <li><b>recovered</b>: a link dropped it, so it can only have come back through RECOVER;</li>
 *   <li><b>held</b>: not lost, but it passed the subscriber's link before an earlier lost update of
 *       the stream was resolved, so in-order delivery held it back behind the gap;</li>
 *   <li><b>normal</b>: the rest.</li>
 * </ul>
 *
 * For a recovered update, <em>gap visible</em> is when the first later update of the stream passed
 * the subscriber's link: the earliest moment the subscriber's middleware could see the gap (its own
 * detection follows after its reorder grace; the middleware does not expose that instant). An update
 * lost with no later update behind it (the run's last ones) has no such moment; the middleware finds
 * it by its periodic latest-update poll, and it is counted apart.
 */
final class RecoveryLedger {

    private static final long NONE = Long.MIN_VALUE;

    /**
     * What the run amounts to.
     *
     * @param sent measured updates the publisher sent
     * @param subscribers subscribers, each expected to receive every sent update
     * @param droppedUpstream measured publishes dropped on the publisher's link (each lost for every subscriber)
     * @param droppedDownstream measured publishes dropped on subscribers' links
     * @param lost (subscriber, update) pairs the network lost
     * @param recovered lost pairs delivered all the same
     * @param unrecoverable lost pairs the middleware reported unrecoverable
     * @param unaccounted lost pairs neither delivered nor reported by the end of the drain
     * @param notLostButMissing pairs never lost that were neither delivered nor reported (should be 0)
     * @param notLostButReported pairs never lost yet reported unrecoverable (should be 0)
     * @param recoveredWithoutGap recovered pairs with no later update behind them (found by the latest-update poll)
     * @param normal latency of normal deliveries from the intended send time, ns
     * @param held latency of held deliveries from the intended send time, ns
     * @param recoveredFromSend latency of recovered deliveries from the intended send time, ns
     * @param recoveredFromGap latency of recovered deliveries from the moment the gap was visible, ns
     */
    record Result(long sent, int subscribers, long droppedUpstream, long droppedDownstream, long lost, long recovered,
                  long unrecoverable, long unaccounted, long notLostButMissing, long notLostButReported,
                  long recoveredWithoutGap, Percentiles normal, Percentiles held, Percentiles recoveredFromSend,
                  Percentiles recoveredFromGap) {

        /** Whether every lost pair is recovered or reported, and every other pair delivered. */
        boolean fullyAccounted() {
            return unaccounted == 0 && notLostButMissing == 0 && lost == recovered + unrecoverable;
        }
    }

    private final int count;
    private final int subscribers;
    private final long[] intended;
    private final boolean[] droppedUp;
    private final boolean[][] droppedDown;
    private final long[][] forwarded;
    private final long[][] delivered;
    private final long[][] reported;
    private long droppedUpstreamFrames;
    private long droppedDownstreamFrames;

    /** A ledger for updates numbered 0..count-1 (the run's measured ones) and {@code subscribers} subscribers. */
    RecoveryLedger(int count, int subscribers) {
        this.count = count;
        this.subscribers = subscribers;
        intended = filled(count);
        droppedUp = new boolean[count];
        droppedDown = new boolean[subscribers][count];
        forwarded = new long[subscribers][];
        delivered = new long[subscribers][];
        reported = new long[subscribers][];
        for (int s = 0; s < subscribers; s++) {
            forwarded[s] = filled(count);
            delivered[s] = filled(count);
            reported[s] = filled(count);
        }
    }

    private static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, NONE);
        return a;
    }

    private boolean valid(int update) {
        return update >= 0 && update < count;
    }

    /** The publisher sent {@code update}, due at {@code intendedNanos}. */
    synchronized void sent(int update, long intendedNanos) {
        if (valid(update)) {
            intended[update] = intendedNanos;
        }
    }

    /** The publisher's link dropped {@code update}. */
    synchronized void droppedUpstream(int update) {
        if (valid(update) && !droppedUp[update]) {
            droppedUp[update] = true;
            droppedUpstreamFrames++;
        }
    }

    /** Subscriber {@code sub}'s link dropped {@code update} on its way down. */
    synchronized void droppedDownstream(int sub, int update) {
        if (valid(update) && !droppedDown[sub][update]) {
            droppedDown[sub][update] = true;
            droppedDownstreamFrames++;
        }
    }

    /** {@code update} passed subscriber {@code sub}'s link on its way down at {@code nanos}. */
    synchronized void forwardedDownstream(int sub, int update, long nanos) {
        if (valid(update) && forwarded[sub][update] == NONE) {
            forwarded[sub][update] = nanos;
        }
    }

    /** Subscriber {@code sub}'s VNF received {@code update} at {@code nanos}. */
    synchronized void delivered(int sub, int update, long nanos) {
        if (valid(update) && delivered[sub][update] == NONE) {
            delivered[sub][update] = nanos;
        }
    }

    /** Subscriber {@code sub}'s VNF was told at {@code nanos} that {@code update} will never arrive. */
    synchronized void unrecoverable(int sub, int update, long nanos) {
        if (valid(update) && reported[sub][update] == NONE) {
            reported[sub][update] = nanos;
        }
    }

    private boolean lost(int sub, int update) {
        return droppedUp[update] || droppedDown[sub][update];
    }

    /** Whether every sent (subscriber, update) has been delivered or reported: the drain may stop. */
    synchronized boolean settled() {
        for (int s = 0; s < subscribers; s++) {
            for (int u = 0; u < count; u++) {
                if (intended[u] != NONE && delivered[s][u] == NONE && reported[s][u] == NONE) {
                    return false;
                }
            }
        }
        return true;
    }

    /** (subscriber, update) pairs still open, for progress lines. */
    synchronized long open() {
        long open = 0;
        for (int s = 0; s < subscribers; s++) {
            for (int u = 0; u < count; u++) {
                if (intended[u] != NONE && delivered[s][u] == NONE && reported[s][u] == NONE) {
                    open++;
                }
            }
        }
        return open;
    }

    synchronized Result result() {
        Histogram normal = Percentiles.histogram();
        Histogram held = Percentiles.histogram();
        Histogram fromSend = Percentiles.histogram();
        Histogram fromGap = Percentiles.histogram();
        long sent = 0;
        for (long t : intended) {
            if (t != NONE) {
                sent++;
            }
        }
        long lost = 0;
        long recovered = 0;
        long unrecoverable = 0;
        long unaccounted = 0;
        long notLostMissing = 0;
        long notLostReported = 0;
        long withoutGap = 0;
        for (int s = 0; s < subscribers; s++) {
            // Backwards: the first later non-lost update's link time is where each gap became visible.
            long[] gapVisible = new long[count];
            long nextSeen = NONE;
            for (int u = count - 1; u >= 0; u--) {
                gapVisible[u] = nextSeen;
                if (!lost(s, u) && forwarded[s][u] != NONE) {
                    nextSeen = nextSeen == NONE ? forwarded[s][u] : Math.min(nextSeen, forwarded[s][u]);
                }
            }
            // Forwards: until when an earlier lost update of this subscriber held the stream.
            long gapResolvedAt = NONE;
            for (int u = 0; u < count; u++) {
                if (intended[u] == NONE) {
                    continue;
                }
                boolean wasLost = lost(s, u);
                long at = delivered[s][u];
                if (wasLost) {
                    lost++;
                    if (at != NONE) {
                        recovered++;
                        fromSend.recordValue(Math.max(0, at - intended[u]));
                        if (gapVisible[u] != NONE) {
                            fromGap.recordValue(Math.max(0, at - gapVisible[u]));
                        } else {
                            withoutGap++;
                        }
                    } else if (reported[s][u] != NONE) {
                        unrecoverable++;
                    } else {
                        unaccounted++;
                    }
                    long resolved = at != NONE ? at : reported[s][u];
                    if (resolved != NONE) {
                        gapResolvedAt = Math.max(gapResolvedAt, resolved);
                    }
                } else if (at != NONE) {
                    long latency = Math.max(0, at - intended[u]);
                    boolean behindGap = gapResolvedAt != NONE && forwarded[s][u] != NONE && forwarded[s][u] <= gapResolvedAt;
                    (behindGap ? held : normal).recordValue(latency);
                } else if (reported[s][u] != NONE) {
                    notLostReported++;
                } else {
                    notLostMissing++;
                }
            }
        }
        return new Result(sent, subscribers, droppedUpstreamFrames, droppedDownstreamFrames, lost, recovered,
                unrecoverable, unaccounted, notLostMissing, notLostReported, withoutGap, Percentiles.of(normal),
                Percentiles.of(held), Percentiles.of(fromSend), Percentiles.of(fromGap));
    }
}
