package io.stare.state;

/**
 * A value with the hybrid-logical-clock timestamp of its write.
 *
 * @param value the value
 * @param timestamp its write's {@link HybridLogicalClock} time
 */
public record Stamped<T>(T value, long timestamp) {
}
