package io.stare.fabric;

/**
 * Sees every frame a {@link FabricLink} decides about, on the link's relay thread, right after
 * the decision: a benchmark or test uses it to know <em>which</em> frames the link dropped (the
 * counters only say how many) and when frames passed, e.g. to attribute a late delivery to a loss.
 *
 * <p>Called once per frame read from an end (a datagram that carries several frames is split
 * first), before it is passed on: a dropped one with
 * {@code dropped} true, a forwarded one (duplicated or held back or not) with {@code dropped}
 * false. It runs on the relay thread, so it must be quick and must not block; it must not keep
 * {@code frame} beyond the call without copying it (it is the link's own copy, never reused, so
 * keeping it is safe but holds memory).
 */
@FunctionalInterface
public interface LinkObserver {

    /**
     * One frame.
     *
     * @param fromEnd the end it came from (one of {@link FabricLink#ends()})
     * @param frame the whole frame as received
     * @param dropped whether the link dropped it (loss)
     * @param nanoTime {@link System#nanoTime()} at the decision
     */
    void onDatagram(String fromEnd, byte[] frame, boolean dropped, long nanoTime);
}
