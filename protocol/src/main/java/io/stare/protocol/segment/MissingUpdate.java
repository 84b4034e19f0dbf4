package io.stare.protocol.segment;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * One update a subscriber lacks, in whole or in part: what a RECOVER names.
 *
 * @param update the extended (64-bit, non-wrapping) update number
 * @param segments the missing segment numbers in ascending order; empty when the whole update is
 *     missing and its segment count is therefore unknown to the subscriber
 */
public record MissingUpdate(long update, List<Integer> segments) {

    public MissingUpdate {
        if (update < 0) {
            throw new IllegalArgumentException("update number " + update + " is negative");
        }
        segments = List.copyOf(segments);
        for (int i = 0; i < segments.size(); i++) {
            int s = segments.get(i);
            if (s < 0 || s >= io.stare.protocol.header.StareHeader.MAX_SEGMENTS) {
                throw new IllegalArgumentException("segment number " + s + " is out of range");
            }
            if (i > 0 && segments.get(i - 1) >= s) {
                throw new IllegalArgumentException("segment numbers must be strictly ascending: " + segments);
            }
        }
    }

    /** The whole update is missing. */
    public static MissingUpdate whole(long update) {
        return new MissingUpdate(update, List.of());
    }

    /** Whether the whole update (rather than some segments) is missing. */
    @JsonIgnore
    public boolean isWhole() {
        return segments.isEmpty();
    }
}
