package io.stare.p4.runtime;

import java.math.BigInteger;
import java.util.Objects;
import p4.v1.Uint128;

/**
 * Conversions between {@link BigInteger} and the P4Runtime {@link Uint128} message, which carries
 * election ids as two unsigned 64-bit halves. STARE code holds election ids as {@code BigInteger}
 * and converts only here, so the signed/unsigned handling of the halves lives in one place.
 */
public final class Uint128s {
  /** 2^128 - 1, the largest value a {@link Uint128} holds. */
  public static final BigInteger MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  private static final BigInteger LOW_MASK = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private Uint128s() {}

  /**
   * Encodes a value as a {@link Uint128}.
   *
   * @param value between 0 and {@link #MAX} inclusive
   * @return the message with {@code high} = bits 127..64 and {@code low} = bits 63..0
   * @throws IllegalArgumentException if the value is negative or wider than 128 bits
   */
  public static Uint128 toProto(BigInteger value) {
    Objects.requireNonNull(value, "value");
    if (value.signum() < 0 || value.bitLength() > 128) {
      throw new IllegalArgumentException("not an unsigned 128-bit value: " + value);
    }
    return Uint128.newBuilder()
        .setHigh(value.shiftRight(64).longValue())
        .setLow(value.and(LOW_MASK).longValue())
        .build();
  }

  /**
   * Encodes a non-negative {@code long} (a common election id) as a {@link Uint128}.
   *
   * @throws IllegalArgumentException if the value is negative
   */
  public static Uint128 toProto(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("not an unsigned 128-bit value: " + value);
    }
    return Uint128.newBuilder().setHigh(0).setLow(value).build();
  }

  /**
   * Decodes a {@link Uint128}, reading both halves as unsigned.
   *
   * @return a value between 0 and {@link #MAX}
   */
  public static BigInteger toBigInteger(Uint128 value) {
    Objects.requireNonNull(value, "value");
    return unsigned(value.getHigh()).shiftLeft(64).or(unsigned(value.getLow()));
  }

  /**
   * Compares two {@link Uint128} values as unsigned 128-bit numbers, without converting them (the
   * higher election id wins arbitration).
   *
   * @return negative, zero or positive as {@code a} is below, equal to or above {@code b}
   */
  public static int compare(Uint128 a, Uint128 b) {
    int high = Long.compareUnsigned(a.getHigh(), b.getHigh());
    return high != 0 ? high : Long.compareUnsigned(a.getLow(), b.getLow());
  }

  private static BigInteger unsigned(long half) {
    BigInteger v = BigInteger.valueOf(half);
    return half >= 0 ? v : v.add(BigInteger.ONE.shiftLeft(64));
  }
}
