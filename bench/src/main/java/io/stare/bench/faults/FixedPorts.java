package io.stare.bench.faults;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports a deployment's roles are told to bind, and bind again after a restart: free on loopback
 * now, and below the kernel's ephemeral range, so no socket's port 0 or outgoing connection takes
 * one meanwhile.
 */
final class FixedPorts {

    private static final String LOOPBACK = "127.0.0.1";
    /** Fixed ports are drawn from here: below Linux's default ephemeral range (32768..60999). */
    private static final int FIXED_PORTS_FROM = 20_000;
    private static final int FIXED_PORTS_TO = ephemeralLow();

    private FixedPorts() {
    }

    /**
     * A TCP port free on loopback now, below the kernel's ephemeral range: a port the roles are told
     * to bind, and bind again after a restart, must not be one the kernel may hand to some socket's
     * port 0 or outgoing connection meanwhile (seen on a loaded machine: a restarted middleware found
     * its gateway port taken).
     */
    static int tcp() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIXED_PORTS_FROM, FIXED_PORTS_TO);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free TCP port on loopback in " + FIXED_PORTS_FROM + ".." + FIXED_PORTS_TO);
    }

    /** The kernel's lowest ephemeral port (Linux), 32768 where it cannot be read. */
    private static int ephemeralLow() {
        try {
            String range = java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > FIXED_PORTS_FROM + 1_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** The first of {@code count} consecutive UDP ports free on loopback now. */
    static int udp(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(FIXED_PORTS_FROM, FIXED_PORTS_TO - count);
            if (udpFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free UDP ports on loopback in 100 attempts");
    }

    private static boolean udpFree(int base, int count) {
        List<DatagramSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(new DatagramSocket(new InetSocketAddress(LOOPBACK, base + i)));
            }
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            held.forEach(DatagramSocket::close);
        }
    }
}
