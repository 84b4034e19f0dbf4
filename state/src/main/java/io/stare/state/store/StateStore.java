package io.stare.state.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Where a network function's items live: the driver a label in the configuration chooses
 * ({@link StateStoreDriver}). Every call is asynchronous; a failed stage carries a
 * {@link StateStoreException}. Reads of an absent item give the empty value of its type (0 for a
 * counter). Implementations are thread-safe.
 */
public interface StateStore extends AutoCloseable {

    /** The driver's label: {@code memory}, {@code redis}, {@code postgres}... */
    String label();

    /**
     * Applies {@code changes} in their order, in as few round trips as the store allows (one where
     * it can). The stage completes once the store has them all, or fails; a failed batch may have
     * been applied in part, so callers that retry resend only what commutes or overwrites.
     */
    CompletionStage<Void> apply(List<Change> changes);

    /** A value item. */
    CompletionStage<Optional<byte[]>> value(StateKey key);

    /** A counter, 0 when absent. */
    CompletionStage<Long> counter(StateKey key);

    /** A list, in order. */
    CompletionStage<List<byte[]>> list(StateKey key);

    /** A set. */
    CompletionStage<Set<Bytes>> set(StateKey key);

    /** A map. */
    CompletionStage<Map<Bytes, byte[]>> map(StateKey key);

    /** A countermap. */
    CompletionStage<Map<Bytes, Long>> counterMap(StateKey key);

    /** The keys of every item of the network function {@code nf} (every instance and partition). */
    CompletionStage<List<StateKey>> keys(String nf);

    /** Releases the connections; calls after it fail. */
    @Override
    void close();
}
