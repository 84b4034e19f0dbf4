package io.stare.p4.entity;

import p4.v1.Entity;

/**
 * One kind of P4Runtime entity of STARE's programs, both ways: {@code decode(encode(v))} is
 * {@code v} for every valid value, and {@link #encode} gives the canonical form a Read returns.
 *
 * @param <T> the value the entity stands for
 */
public interface EntityCodec<T> {

    /** The entity for {@code value}, canonical (shortest binary strings). */
    Entity encode(T value);

    /** The value of a written or read entity, or why the program cannot take it. */
    Decoded<T> decode(Entity entity);
}
