package io.stare.state;

import io.stare.state.store.StateKey;

/**
 * One instance's item, as a global read gathers them for a reduction.
 *
 * @param key the item's key (its instance, partition, type and structure)
 * @param value the item as reads give it: {@code Long} for a counter, {@code Optional<byte[]>} for
 *     a value (timestamped), {@code Map<Bytes, Long>} for a countermap...
 */
public record StateItem(StateKey key, Object value) {
}
