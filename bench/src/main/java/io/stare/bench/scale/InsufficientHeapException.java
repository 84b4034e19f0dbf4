package io.stare.bench.scale;

import java.util.Locale;

/**
 * The JVM was started with too little heap for the part asked for; thrown before the part starts,
 * so a run never dies half way with an {@link OutOfMemoryError}. The message names the figure to
 * start with ({@code STARE_JAVA_OPTS=-Xmx...} for {@code ./stare}).
 */
public final class InsufficientHeapException extends RuntimeException {

    InsufficientHeapException(String what, long neededBytes, long maxBytes) {
        super(String.format(Locale.ROOT,
                "%s needs about %,d MB of heap but this JVM may use only %,d MB; run with a larger heap, "
                        + "e.g. STARE_JAVA_OPTS=-Xmx%dg ./stare bench scale ... (or java -Xmx%dg -jar stare.jar ...), "
                        + "or leave out the largest state counts",
                what, neededBytes >> 20, maxBytes >> 20, gigabytes(neededBytes), gigabytes(neededBytes)));
    }

    private static long gigabytes(long bytes) {
        return Math.max(1, (bytes + (1L << 30) - 1) >> 30);
    }
}
