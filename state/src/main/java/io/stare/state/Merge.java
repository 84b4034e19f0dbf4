package io.stare.state;

import java.util.HashSet;
import java.util.Set;

/**
 * One value out of two, for items of several partitions or instances: sums of counters, the
 * union of sets, the latest value... Applied pairwise over the items in any order, so a merge is
 * associative and commutative.
 */
@FunctionalInterface
public interface Merge<T> {

    /** The merge of two items' values. */
    T merge(T a, T b);

    /** Counters added. */
    static Merge<Long> sum() {
        return Long::sum;
    }

    /** The smallest. */
    static Merge<Long> min() {
        return Math::min;
    }

    /** The largest. */
    static Merge<Long> max() {
        return Math::max;
    }

    /** Every member of either set. */
    static <E> Merge<Set<E>> union() {
        return (a, b) -> {
            Set<E> out = new HashSet<>(a);
            out.addAll(b);
            return out;
        };
    }

    /** Last writer wins: the value written last by the hybrid logical clock (ties: the larger value's hash). */
    static <T> Merge<Stamped<T>> latest() {
        return (a, b) -> a.timestamp() != b.timestamp() ? (a.timestamp() > b.timestamp() ? a : b)
                : (java.util.Objects.hashCode(a.value()) >= java.util.Objects.hashCode(b.value()) ? a : b);
    }
}
