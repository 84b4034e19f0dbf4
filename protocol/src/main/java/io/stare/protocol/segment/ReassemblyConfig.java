package io.stare.protocol.segment;

/**
 * Limits and timers of a {@link Reassembler}.
 *
 * @param maxBytesPerStream payload bytes buffered for one (state, publisher) stream; must hold the
 *     largest update
 * @param maxBytesPerPeer payload bytes buffered for all streams of one publishing VNF
 * @param maxPendingUpdates updates buffered ahead of the next one to deliver, per stream
 * @param reorderGraceMillis the reordering the reassembler tolerates without asking: a missing piece
 *     is requested only once the highest known update has stood at or beyond it this long; and how
 *     long a stream must go without a segment from the network before the controller's latest
 *     update may reveal lost trailing updates (while data flows, the backlog is not chased)
 * @param retryMillis how long a recovery request may stay in flight (unanswered, or its answer not
 *     reported) before it is repeated; also how long the next request waits after an answer that
 *     brought nothing for the stream's oldest gap
 * @param maxAttempts recovery requests without the oldest gap of a stream moving before its overdue
 *     gaps are declared unrecoverable
 * @param maxRequestEntries missing updates named in one request (the rest follow in later ones, one
 *     request in flight per stream at a time)
 */
public record ReassemblyConfig(int maxBytesPerStream, long maxBytesPerPeer, int maxPendingUpdates,
                               long reorderGraceMillis, long retryMillis, int maxAttempts, int maxRequestEntries) {

    public ReassemblyConfig {
        positive("maxBytesPerStream", maxBytesPerStream);
        positive("maxBytesPerPeer", maxBytesPerPeer);
        positive("maxPendingUpdates", maxPendingUpdates);
        positive("retryMillis", retryMillis);
        positive("maxAttempts", maxAttempts);
        positive("maxRequestEntries", maxRequestEntries);
        if (reorderGraceMillis < 0) {
            throw new IllegalArgumentException("reorderGraceMillis must not be negative: " + reorderGraceMillis);
        }
        if (maxBytesPerPeer < maxBytesPerStream) {
            throw new IllegalArgumentException("maxBytesPerPeer (" + maxBytesPerPeer
                    + ") must be at least maxBytesPerStream (" + maxBytesPerStream + ")");
        }
    }

    /**
     * Defaults sized for the Ethernet MTU: 1 MiB per stream (five of the largest 187 KB updates),
     * 8 MiB per publisher, 1024 updates of reordering, a 50 ms grace, 200 ms retries, 5 attempts.
     */
    public static ReassemblyConfig defaults() {
        return new ReassemblyConfig(1 << 20, 8L << 20, 1024, 50, 200, 5, 1024);
    }

    /** Checks that this configuration can reassemble updates of up to {@code maxUpdateBytes}. */
    public ReassemblyConfig requireCapacityFor(int maxUpdateBytes) {
        if (maxBytesPerStream < maxUpdateBytes) {
            throw new IllegalArgumentException("maxBytesPerStream (" + maxBytesPerStream
                    + ") cannot hold the largest update (" + maxUpdateBytes + " bytes)");
        }
        return this;
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
