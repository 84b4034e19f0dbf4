package io.stare.protocol;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counts of refused input per {@link DecodeError.Kind}, kept by every listener and
 * decoder stage so that hostile or broken traffic is visible in metrics rather than in crashes.
 */
public final class DecodeErrorCounters {

    private final EnumMap<DecodeError.Kind, LongAdder> counts = new EnumMap<>(DecodeError.Kind.class);

    public DecodeErrorCounters() {
        for (DecodeError.Kind kind : DecodeError.Kind.values()) {
            counts.put(kind, new LongAdder());
        }
    }

    /** Counts one refusal of the given error's kind. */
    public void record(DecodeError error) {
        counts.get(error.kind()).increment();
    }

    /** Counts one refusal of the given kind (for decoders that report kinds, not error objects). */
    public void record(DecodeError.Kind kind) {
        counts.get(kind).increment();
    }

    /** The number of refusals of one kind so far. */
    public long count(DecodeError.Kind kind) {
        return counts.get(kind).sum();
    }

    /** The number of refusals of all kinds so far. */
    public long total() {
        long total = 0;
        for (LongAdder adder : counts.values()) {
            total += adder.sum();
        }
        return total;
    }

    /** A point-in-time copy of every count, in {@link DecodeError.Kind} order. */
    public Map<DecodeError.Kind, Long> snapshot() {
        EnumMap<DecodeError.Kind, Long> copy = new EnumMap<>(DecodeError.Kind.class);
        counts.forEach((kind, adder) -> copy.put(kind, adder.sum()));
        return copy;
    }
}
