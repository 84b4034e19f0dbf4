package io.stare.bench.scale;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The parts of {@code ./stare bench scale}, selectable with {@code --parts}. */
public enum ScalePart {
    /** State forwarding table size: memory and per-publish latency vs number of states. */
    TABLE,
    /** Subscriptions per second, pipeline only and end to end, both modes. */
    SUBS,
    /** Recovery latency under link loss. */
    RECOVERY;

    /** The option's spelling. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses names such as {@code table}, {@code subs}, {@code recovery} (any case, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the unknown part and the known ones
     */
    public static Set<ScalePart> parse(List<String> names) {
        Set<ScalePart> parts = EnumSet.noneOf(ScalePart.class);
        for (String name : names) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            try {
                parts.add(valueOf(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown part '" + name.trim() + "'; parts are table, subs, recovery");
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no part given; parts are table, subs, recovery");
        }
        return parts;
    }
}
