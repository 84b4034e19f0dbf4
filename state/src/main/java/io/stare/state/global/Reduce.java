package io.stare.state.global;

import io.stare.client.StateCodec;
import io.stare.state.Merge;
import io.stare.state.Stamped;
import io.stare.state.ValueState;
import io.stare.state.StateItem;
import io.stare.state.store.Bytes;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * E-State's reduce function: the items of every instance that match a global read, in no fixed
 * order, to one result. The predefined ones read counters as their value and countermaps as the
 * sum of their fields (or one field: {@link #field}); values by their write's time.
 */
@FunctionalInterface
public interface Reduce<R> {

    /** The result of {@code items}. */
    R reduce(List<StateItem> items);

    /** The sum. */
    static Reduce<Long> sum() {
        return items -> items.stream().mapToLong(Reduce::number).sum();
    }

    /** The average, 0 without items. */
    static Reduce<Double> average() {
        return items -> items.stream().mapToLong(Reduce::number).average().orElse(0);
    }

    /** The smallest, if any item. */
    static Reduce<Optional<Long>> min() {
        return items -> items.stream().map(Reduce::number).min(Long::compare);
    }

    /** The largest, if any item. */
    static Reduce<Optional<Long>> max() {
        return items -> items.stream().map(Reduce::number).max(Long::compare);
    }

    /** The value written last by the hybrid logical clock, over value items. */
    @SuppressWarnings("unchecked")
    static <T> Reduce<Optional<Stamped<T>>> latest(StateCodec<T> codec) {
        return items -> items.stream().map(i -> (Optional<byte[]>) i.value()).flatMap(Optional::stream)
                .map(bytes -> ValueState.decode(bytes, codec)).reduce(Merge.<T>latest()::merge);
    }

    /** {@code then} over one field of countermap items (absent: 0), e.g. one flow's count on every instance. */
    @SuppressWarnings("unchecked")
    static <K, R> Reduce<R> field(StateCodec<K> keys, K field, Reduce<R> then) {
        Bytes f = Bytes.of(keys.encode(field));
        return items -> then.reduce(items.stream().map(i -> new StateItem(i.key(),
                ((Map<Bytes, Long>) i.value()).getOrDefault(f, 0L))).toList());
    }

    /** A counter's value, or the sum of a countermap's fields. */
    @SuppressWarnings("unchecked")
    private static long number(StateItem item) {
        Object value = item.value();
        if (value instanceof Long n) {
            return n;
        }
        if (value instanceof Map<?, ?> map) {
            return ((Map<Bytes, Long>) map).values().stream().mapToLong(Long::longValue).sum();
        }
        throw new IllegalArgumentException(item.key() + " is no counter or countermap: it has no number");
    }
}
