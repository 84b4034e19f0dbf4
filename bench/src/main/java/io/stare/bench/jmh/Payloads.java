package io.stare.bench.jmh;

import java.util.SplittableRandom;

/** Update values for the benchmarks: random bytes, so no codec can profit from regular content. */
final class Payloads {

    private Payloads() {
    }

    /** {@code size} pseudo-random bytes, the same for the same size (runs are comparable). */
    static byte[] of(int size) {
        byte[] value = new byte[size];
        SplittableRandom random = new SplittableRandom(size);
        for (int i = 0; i < size; i++) {
            value[i] = (byte) random.nextInt(256);
        }
        return value;
    }
}
