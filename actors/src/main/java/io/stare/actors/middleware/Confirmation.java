package io.stare.actors.middleware;

import java.util.TreeMap;

/**
 * What the backlog confirmed of one state published here: everything up to a point, and ranges
 * beyond it (confirmations of Append batches may arrive out of order). Owned by the main path.
 */
final class Confirmation {
    private long upTo;
    private TreeMap<Long, Long> beyond;

    /** Nothing beyond {@code upTo} confirmed yet. */
    Confirmation(long upTo) {
        this.upTo = upTo;
    }

    /** The backlog holds updates {@code first..last}. */
    void confirm(long first, long last) {
        if (first <= upTo + 1) {
            upTo = Math.max(upTo, last);
        } else {
            if (beyond == null) {
                beyond = new TreeMap<>();
            }
            beyond.merge(first, last, Math::max);
        }
        while (beyond != null && !beyond.isEmpty() && beyond.firstKey() <= upTo + 1) {
            upTo = Math.max(upTo, beyond.pollFirstEntry().getValue());
        }
    }

    /** Whether the backlog holds {@code update}. */
    boolean covers(long update) {
        if (update <= upTo) {
            return true;
        }
        if (beyond == null) {
            return false;
        }
        var range = beyond.floorEntry(update);
        return range != null && update <= range.getValue();
    }
}
