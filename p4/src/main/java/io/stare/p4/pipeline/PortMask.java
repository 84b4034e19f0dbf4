package io.stare.p4.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Port sets as bit masks: bit <i>i</i> is front port <i>i</i>, as in the P4 programs' {@code bit<P>}
 * values. Masks are carried in a {@code long} so that a 32-port mask never turns negative.
 */
public final class PortMask {

    /** The most front ports a mask can describe ({@code bit<32>} registers and CPU-header values). */
    public static final int MAX_PORTS = 32;

    private PortMask() {
    }

    /** The mask with only {@code port} set. */
    public static long bit(int port) {
        if (port < 0 || port >= MAX_PORTS) {
            throw new IllegalArgumentException("port " + port + " is out of range 0.." + (MAX_PORTS - 1));
        }
        return 1L << port;
    }

    /** The mask of all {@code portCount} front ports. */
    public static long all(int portCount) {
        checkPortCount(portCount, MAX_PORTS);
        return (1L << portCount) - 1;
    }

    /** Whether {@code port} is in {@code mask}. */
    public static boolean contains(long mask, int port) {
        return port >= 0 && port < MAX_PORTS && (mask & (1L << port)) != 0;
    }

    /** The ports of a mask, ascending. */
    public static List<Integer> ports(long mask) {
        List<Integer> ports = new ArrayList<>(Long.bitCount(mask));
        for (long rest = mask; rest != 0; rest &= rest - 1) {
            ports.add(Long.numberOfTrailingZeros(rest));
        }
        return List.copyOf(ports);
    }

    /** The mask as {@code portCount} binary digits, port 0 rightmost, as the docs print masks. */
    public static String format(long mask, int portCount) {
        StringBuilder text = new StringBuilder(portCount);
        for (int port = portCount - 1; port >= 0; port--) {
            text.append((mask >>> port & 1) == 1 ? '1' : '0');
        }
        return text.toString();
    }

    static void checkPortCount(int portCount, int max) {
        if (portCount < 1 || portCount > max) {
            throw new IllegalArgumentException("port count " + portCount + " is out of range 1.." + max);
        }
    }

    static void checkMask(long mask, int portCount, String what) {
        if ((mask & ~all(portCount)) != 0) {
            throw new IllegalArgumentException(what + " 0x" + Long.toHexString(mask)
                    + " has bits beyond the " + portCount + " front ports");
        }
    }
}
