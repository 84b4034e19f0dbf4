package io.stare.p4.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import p4.v1.Uint128;

class Uint128sTest {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  @Test
  void roundTripsEdgeValues() {
    List<BigInteger> values =
        List.of(
            BigInteger.ZERO,
            BigInteger.ONE,
            BigInteger.valueOf(Long.MAX_VALUE),
            BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE), // low half's sign bit set
            TWO_64.subtract(BigInteger.ONE),
            TWO_64,
            TWO_64.add(BigInteger.valueOf(7)),
            new BigInteger("123456789012345678901234567890"),
            Uint128s.MAX);
    for (BigInteger v : values) {
      assertEquals(v, Uint128s.toBigInteger(Uint128s.toProto(v)), v.toString());
    }
  }

  @Test
  void splitsIntoUnsignedHalves() {
    Uint128 u = Uint128s.toProto(TWO_64.multiply(BigInteger.valueOf(3)).add(TWO_64.subtract(BigInteger.ONE)));
    assertEquals(3L, u.getHigh());
    assertEquals(-1L, u.getLow()); // 0xffffffffffffffff, carried as a uint64
    Uint128 max = Uint128s.toProto(Uint128s.MAX);
    assertEquals(-1L, max.getHigh());
    assertEquals(-1L, max.getLow());
    assertEquals(Uint128s.toProto(BigInteger.valueOf(42)), Uint128s.toProto(42L));
  }

  @Test
  void encodesOnTheWireAsTwoVarints() {
    // high is field 1, low is field 2, both varints.
    Uint128 u = Uint128s.toProto(TWO_64.add(BigInteger.valueOf(5)));
    assertArrayEquals(new byte[] {0x08, 0x01, 0x10, 0x05}, u.toByteArray());
  }

  @Test
  void rejectsOutOfRange() {
    assertThrows(IllegalArgumentException.class, () -> Uint128s.toProto(BigInteger.ONE.negate()));
    assertThrows(IllegalArgumentException.class, () -> Uint128s.toProto(Uint128s.MAX.add(BigInteger.ONE)));
    assertThrows(IllegalArgumentException.class, () -> Uint128s.toProto(-1L));
  }

  @Test
  void comparesUnsigned() {
    Uint128 small = Uint128s.toProto(BigInteger.valueOf(Long.MAX_VALUE));
    Uint128 bigLow = Uint128s.toProto(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE));
    Uint128 bigHigh = Uint128s.toProto(TWO_64);
    assertTrue(Uint128s.compare(small, bigLow) < 0);
    assertTrue(Uint128s.compare(bigLow, bigHigh) < 0);
    assertTrue(Uint128s.compare(Uint128s.toProto(Uint128s.MAX), bigHigh) > 0);
    assertEquals(0, Uint128s.compare(bigHigh, Uint128s.toProto(TWO_64)));
  }
}
