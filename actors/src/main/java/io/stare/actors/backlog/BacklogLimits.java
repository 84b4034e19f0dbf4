package io.stare.actors.backlog;

/**
 * The hard cap on one state's backlog: past either bound the oldest updates are dropped (and
 * answered as truncated), so memory stays bounded whatever the subscribers do. The newest update
 * is always kept, so the cap must hold at least the largest update.
 *
 * @param maxBytes payload bytes held at most
 * @param maxSegments segments held at most
 */
public record BacklogLimits(long maxBytes, long maxSegments) {

    /** No cap: for reading a snapshot back before the configured cap is applied. */
    public static final BacklogLimits UNBOUNDED = new BacklogLimits(Long.MAX_VALUE, Long.MAX_VALUE);

    public BacklogLimits {
        if (maxBytes <= 0 || maxSegments <= 0) {
            throw new IllegalArgumentException("backlog limits must be positive: " + maxBytes + " bytes, "
                    + maxSegments + " segments");
        }
    }
}
