package io.stare.datapath;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Where a data path's logic writes the frames to send, straight into each port's buffer: claim room
 * for a frame, write it with absolute puts, and it goes out when the duty cycle ends (or earlier,
 * when the port needs the room). Frames of one port leave in the order they were claimed.
 *
 * <pre>{@code
 * int at = egress.claim(port, length);
 * if (at >= 0) {
 *     egress.buffer(port).put(at, source, offset, length);   // or encode in place
 * }
 * }</pre>
 * A frame must be written completely before the next claim on the same port. Only the data path's
 * thread may use it, inside the logic's step.
 */
public final class Egress {

    private final PortTable ports;

    Egress(PortTable ports) {
        this.ports = ports;
    }

    /**
     * Room for one frame of {@code length} bytes on {@code port}: the absolute offset in
     * {@link #buffer(int)} to write it at, or -1 when it cannot go (larger than a datagram, the
     * port is closed, or the port holds on overflow and its socket has not drained). A port that
     * drops counts what it refuses; a port that holds counts nothing, because its producer retries.
     */
    public int claim(int port, int length) {
        return ports.get(port).claim(length, null);
    }

    /** The same, for a port without a peer: the frame goes to {@code destination} in a datagram of its own. */
    public int claimTo(int port, int length, InetSocketAddress destination) {
        if (destination == null) {
            throw new IllegalArgumentException("a destination is required");
        }
        return ports.get(port).claim(length, destination);
    }

    /** The buffer frames of {@code port} are written into (absolute indexes only). */
    public ByteBuffer buffer(int port) {
        return ports.get(port).out;
    }

    /** Copies a whole frame to {@code port}; false if it could not go (see {@link #claim}). */
    public boolean copy(int port, ByteBuffer source, int offset, int length) {
        int at = claim(port, length);
        if (at < 0) {
            return false;
        }
        ByteBuffer out = ports.get(port).out;
        out.put(at, source, offset, length);
        return true;
    }

    /** Whether a frame of any size can be claimed on {@code port} now without waiting for its socket. */
    public boolean writable(int port) {
        return ports.get(port).writable();
    }

    /** The number of ports (ids 0 .. count - 1; closed ones included). */
    public int portCount() {
        return ports.size();
    }
}
