package io.stare.datapath;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.Arrays;

/**
 * One socket of a {@link DataPath} with its peer, its outgoing datagrams and its counters. Only the
 * data path's thread touches it, except the counters and the peer, which others read.
 *
 * <p>Outgoing frames are written straight into {@link #out}, one datagram after the other: a
 * datagram ends at {@code ends[i]} and starts where the previous one ended. With batch framing the
 * last datagram stays open for more frames until the next would not fit a datagram.
 */
final class Port {

    final int id;
    final PortSpec spec;
    final DatagramChannel channel;
    final InetSocketAddress localAddress;
    SelectionKey key;
    boolean closed;
    /** Listed among this cycle's readable ports already. */
    boolean ready;

    /** Where datagrams go: fixed, or learned from the last sender; read by other threads. */
    volatile InetSocketAddress peer;
    /** Set when the peer was fixed after the port started learning: it stops learning. */
    volatile boolean fixedPeer;
    /** How frames go out; starts as the spec says, a later {@code fixPeer} may change it. */
    volatile PortSpec.Framing framing;
    /** Whether the peer was heard sending batches ({@link PortSpec.Framing#MIRROR}). */
    volatile boolean peerBatches;

    final ByteBuffer out;
    private int[] ends = new int[64];
    private InetSocketAddress[] destinations;
    /** Datagrams queued, and how many of them were already sent (a holding port resumes there). */
    private int queued;
    private int sent;
    /** Start of the open batch datagram, or -1. */
    private int openBatch = -1;
    private int openFrames;
    private int[] frames = new int[64];

    volatile long datagramsIn;
    volatile long framesIn;
    volatile long datagramsOut;
    volatile long framesOut;
    volatile long foreign;
    volatile long malformed;
    volatile long droppedNoPeer;
    volatile long droppedFull;
    volatile long droppedSize;
    volatile long droppedClosed;
    volatile long errors;

    Port(int id, PortSpec spec, DatagramChannel channel, int egressBuffer) throws IOException {
        this.id = id;
        this.spec = spec;
        this.channel = channel;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.out = ByteBuffer.allocateDirect(egressBuffer);
        this.framing = spec.framing();
        if (spec.peer() instanceof PortSpec.Fixed fixed) {
            peer = fixed.address();
        }
        if (spec.peer() instanceof PortSpec.PerFrame) {
            destinations = new InetSocketAddress[ends.length];
        }
    }

    PortCounters counters() {
        return new PortCounters(datagramsIn, framesIn, datagramsOut, framesOut, foreign, malformed, droppedNoPeer,
                droppedFull, droppedSize, droppedClosed, errors);
    }

    /** Whether a datagram from {@code source} is accepted; learns the peer where the port learns. */
    boolean accept(SocketAddress source) {
        PortSpec.Peer policy = spec.peer();
        if (policy instanceof PortSpec.Fixed fixed) {
            if (fixed.only() && !fixed.address().equals(source)) {
                foreign++;
                return false;
            }
        } else if (policy instanceof PortSpec.Learn && !fixedPeer && source instanceof InetSocketAddress address
                && !address.equals(peer)) {
            peer = address;
        }
        return true;
    }

    boolean batching() {
        return switch (framing) {
            case RAW -> false;
            case BATCH -> true;
            case MIRROR -> peerBatches;
        };
    }

    /** Whether a frame of the largest size can be claimed without waiting for the socket. */
    boolean writable() {
        return !closed && (spec.overflow() == PortSpec.Overflow.DROP || sent == queued)
                && out.capacity() - used() >= TunnelFraming.MAX_DATAGRAM;
    }

    boolean holding() {
        return sent < queued;
    }

    private int used() {
        return queued == 0 ? 0 : ends[queued - 1];
    }

    /**
     * Room for one frame of {@code length} bytes: its absolute offset in {@link #out}, or -1. May
     * send what is queued to make room.
     */
    int claim(int length, InetSocketAddress destination) {
        if (closed) {
            droppedClosed++;
            return -1;
        }
        boolean batch = batching() && destination == null;
        int needed = batch ? TunnelFraming.LENGTH_PREFIX + length : length;
        if (length > TunnelFraming.MAX_DATAGRAM - (batch ? TunnelFraming.MAGIC_LENGTH + TunnelFraming.LENGTH_PREFIX : 0)
                || batch && length < TunnelFraming.MIN_FRAME) {
            droppedSize++;
            return -1;
        }
        boolean joinsOpen = batch && openBatch >= 0 && used() - openBatch + needed <= TunnelFraming.MAX_DATAGRAM;
        int total = joinsOpen ? needed : batch ? TunnelFraming.MAGIC_LENGTH + needed : needed;
        if (out.capacity() - used() < total) {
            flush();
            if (out.capacity() - used() < total) {
                return -1; // holding: the socket has not taken what is queued yet; the producer waits
            }
            joinsOpen = false;
            total = batch ? TunnelFraming.MAGIC_LENGTH + needed : needed;
        }
        int at = used();
        if (!joinsOpen) {
            openBatch = -1;
            openFrames = 0;
            if (queued == ends.length) {
                grow();
            }
            if (destinations != null) {
                destinations[queued] = destination;
            }
            frames[queued] = 0;
            queued++;
            if (batch) {
                out.putInt(at, TunnelFraming.MAGIC);
                openBatch = at;
                at += TunnelFraming.MAGIC_LENGTH;
            }
        }
        if (batch) {
            out.putShort(at, (short) length);
            at += TunnelFraming.LENGTH_PREFIX;
            openFrames++;
        }
        frames[queued - 1]++;
        ends[queued - 1] = at + length;
        return at;
    }

    private void grow() {
        ends = Arrays.copyOf(ends, ends.length * 2);
        frames = Arrays.copyOf(frames, frames.length * 2);
        if (destinations != null) {
            destinations = Arrays.copyOf(destinations, destinations.length * 2);
        }
    }

    /**
     * Sends every queued datagram. A port that drops loses what the socket refuses (counted); a port
     * that holds keeps it for the next flush, when the socket has room again.
     */
    void flush() {
        openBatch = -1;
        InetSocketAddress to = peer;
        while (sent < queued) {
            int start = sent == 0 ? 0 : ends[sent - 1];
            int end = ends[sent];
            InetSocketAddress target = destinations != null ? destinations[sent] : to;
            if (target == null) {
                droppedNoPeer += frames[sent];
                sent++;
                continue;
            }
            int written;
            try {
                out.limit(end).position(start);
                written = channel.send(out, target);
            } catch (IOException e) {
                errors++;
                written = -1; // an ICMP error surfaced, or the network is down: this datagram is lost
            } finally {
                out.clear();
            }
            if (written == 0) {
                if (spec.overflow() == PortSpec.Overflow.HOLD) {
                    return; // resumes at this datagram when the socket is writable
                }
                droppedFull += frames[sent];
            } else if (written > 0) {
                datagramsOut++;
                framesOut += frames[sent];
            }
            sent++;
        }
        if (destinations != null) {
            Arrays.fill(destinations, 0, queued, null);
        }
        queued = 0;
        sent = 0;
    }
}
