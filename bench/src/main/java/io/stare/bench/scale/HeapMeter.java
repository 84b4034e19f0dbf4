package io.stare.bench.scale;

import java.lang.management.ManagementFactory;

/**
 * The JVM heap in use once the collector has settled: the smallest of several readings, each
 * after a requested full collection, so that garbage left by installing subscriptions is not
 * counted as what they hold.
 */
final class HeapMeter {

    private HeapMeter() {
    }

    /** Bytes of heap in use after repeated collections. */
    static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** The most heap this JVM may use ({@code -Xmx}). */
    static long max() {
        return Runtime.getRuntime().maxMemory();
    }

    private static volatile Object sink;

    /** Keeps {@code o} reachable up to this call, so a measurement cannot see it freed early. */
    static void keep(Object o) {
        sink = o;
        sink = null;
    }
}
