package io.stare.fabric;

import io.stare.datapath.TunnelFraming;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One link of the fabric as a loopback relay (two sockets, two threads) that can drop, duplicate
 * and reorder frames in both directions (a datagram that carries several frames is split, each frame
 * crossing in a datagram of its own), with probabilities adjustable while the fabric runs
 * and a seeded random source, so a failing run can be replayed. A fresh link is perfect (all
 * probabilities 0).
 *
 * <p>A link has two named ends. A <b>host link</b> joins a host's middleware (end: the host's
 * name) to its switch port (end: the switch's name); a <b>switch link</b> joins a port of one
 * switch to a port of another (ends: the two switch names). {@link #counters(String)} counts, per
 * direction, what came from one end: frames received, forwarded (duplicates included),
 * dropped, duplicated and held back. So {@code fabric.link("h2").counters("h2").received()} is
 * every frame h2's middleware sent towards its switch, and
 * {@code fabric.link("h2").counters("s1").forwarded()} every frame the switch sent down to h2.
 */
public final class FabricLink implements AutoCloseable {

    /**
     * What one direction of a link has carried so far: the frames that came from one end (a
     * datagram that carries several frames counts each).
     *
     * @param received frames the relay read from that end
     * @param forwarded frames it passed on to the other end, duplicates included
     * @param dropped frames it dropped (loss)
     * @param duplicated frames it sent twice
     * @param reordered frames it held back behind a later one
     */
    public record Counters(long received, long forwarded, long dropped, long duplicated, long reordered) {

        /** The difference {@code this - earlier}, for counting what one part of a test did. */
        public Counters minus(Counters earlier) {
            return new Counters(received - earlier.received, forwarded - earlier.forwarded,
                    dropped - earlier.dropped, duplicated - earlier.duplicated, reordered - earlier.reordered);
        }
    }

    /** One direction's counters. */
    private static final class Direction {
        final AtomicLong received = new AtomicLong();
        final AtomicLong forwarded = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();
        final AtomicLong reordered = new AtomicLong();

        Counters snapshot() {
            return new Counters(received.get(), forwarded.get(), dropped.get(), duplicated.get(), reordered.get());
        }
    }

    private final String name;
    private final String nearEnd;
    private final String farEnd;
    /** Faces the near end: the host's middleware, or the first switch's port. */
    private final DatagramSocket nearSide;
    /** Faces the far end: a switch port. */
    private final DatagramSocket farSide;
    private final InetSocketAddress farAddress;
    /** Fixed for a switch link; learned from the first datagram for a host link. */
    private volatile InetSocketAddress nearAddress;
    private final boolean learnsNear;
    private final Random random;
    private volatile double loss;
    private volatile double duplication;
    private volatile double reordering;
    private volatile LinkObserver observer;
    private final Direction fromNear = new Direction();
    private final Direction fromFar = new Direction();
    private final Thread up;
    private final Thread down;

    /**
     * A host link: {@code host}'s middleware (learned from its first frame) to {@code switchName}'s
     * port. The middleware sends to {@link #nearSide()}; the switch port's host is {@link #farSide()}.
     */
    public static FabricLink toHost(String host, String switchName, InetSocketAddress switchPort, long seed)
            throws IOException {
        return new FabricLink(host, host, null, switchName, switchPort, seed);
    }

    /** A switch link between port {@code portA} of switch {@code a} and port {@code portB} of switch {@code b}. */
    static FabricLink betweenSwitches(String name, String a, InetSocketAddress portA, String b,
                                      InetSocketAddress portB, long seed) throws IOException {
        return new FabricLink(name, a, portA, b, portB, seed);
    }

    private FabricLink(String name, String nearEnd, InetSocketAddress nearAddress, String farEnd,
                       InetSocketAddress farAddress, long seed) throws IOException {
        this.name = name;
        this.nearEnd = nearEnd;
        this.farEnd = farEnd;
        this.nearAddress = nearAddress;
        this.learnsNear = nearAddress == null;
        this.farAddress = farAddress;
        this.random = new Random(seed);
        this.nearSide = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        DatagramSocket far;
        try {
            far = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            nearSide.close();
            throw e;
        }
        this.farSide = far;
        for (DatagramSocket socket : new DatagramSocket[] {nearSide, farSide}) {
            socket.setReceiveBufferSize(4 << 20);
            socket.setSendBufferSize(4 << 20);
            socket.setSoTimeout(50);
        }
        String thread = "stare-link-" + name.replaceAll("[^A-Za-z0-9_:.-]", "");
        this.up = new Thread(() -> copy(nearSide, true), thread + "-up");
        this.down = new Thread(() -> copy(farSide, false), thread + "-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
    }

    /** The link's name: the host's for a host link, {@code s1:2 <-> s2:0} for a switch link. */
    public String name() {
        return name;
    }

    /**
     * The link's two ends: {@code [host, switch]} for a host link, {@code [switch, switch]} (as the
     * topology declares the link) for a switch link.
     */
    public List<String> ends() {
        return List.of(nearEnd, farEnd);
    }

    /** Whether this link joins two switches (rather than a host to its switch). */
    public boolean isSwitchLink() {
        return !learnsNear;
    }

    /** Drops each frame (either direction) with this probability, from now on. */
    public FabricLink loss(double probability) {
        this.loss = check(probability);
        return this;
    }

    /** Sends each frame (either direction) twice with this probability, from now on. */
    public FabricLink duplication(double probability) {
        this.duplication = check(probability);
        return this;
    }

    /** Holds back each frame behind the next one with this probability, from now on. */
    public FabricLink reordering(double probability) {
        this.reordering = check(probability);
        return this;
    }

    /**
     * Shows every frame from now on to {@code observer} (replacing any earlier one; {@code null}
     * stops observing). An observability hook for benchmarks and tests: it changes nothing the
     * link does.
     */
    public FabricLink observe(LinkObserver observer) {
        this.observer = observer;
        return this;
    }

    /** Makes the link perfect again. */
    public FabricLink heal() {
        return loss(0).duplication(0).reordering(0);
    }

    /** Datagrams dropped so far, both directions. */
    public long dropped() {
        return fromNear.dropped.get() + fromFar.dropped.get();
    }

    /** Datagrams sent twice so far, both directions. */
    public long duplicated() {
        return fromNear.duplicated.get() + fromFar.duplicated.get();
    }

    /** Datagrams held back behind a later one so far, both directions. */
    public long reordered() {
        return fromNear.reordered.get() + fromFar.reordered.get();
    }

    /**
     * The counters of the frames that came from {@code end} (one of {@link #ends()}), towards
     * the other end.
     *
     * @throws IllegalArgumentException if {@code end} is not an end of this link
     */
    public Counters counters(String end) {
        if (end.equals(nearEnd)) {
            return fromNear.snapshot();
        }
        if (end.equals(farEnd)) {
            return fromFar.snapshot();
        }
        throw new IllegalArgumentException(end + " is not an end of link " + name + " " + ends());
    }

    /**
     * Sends {@code frame} across the link as if {@code fromEnd} had sent it: what a stranger on that
     * wire (or on a spare switch port) can do. It is not counted, observed, lost or reordered.
     */
    public void inject(String fromEnd, byte[] frame) throws IOException {
        boolean upwards;
        if (fromEnd.equals(nearEnd)) {
            upwards = true;
        } else if (fromEnd.equals(farEnd)) {
            upwards = false;
        } else {
            throw new IllegalArgumentException(fromEnd + " is not an end of link " + name + " " + ends());
        }
        InetSocketAddress to = upwards ? farAddress : nearAddress;
        if (to == null) {
            throw new IllegalStateException("link " + name + " does not know its " + nearEnd + " end yet");
        }
        (upwards ? farSide : nearSide).send(new DatagramPacket(frame, frame.length, to));
    }

    /** Where the near end sends its frames (for a host link, the middleware's switch port address). */
    public InetSocketAddress nearSide() {
        return (InetSocketAddress) nearSide.getLocalSocketAddress();
    }

    /** Where the far end (a switch port) sends its frames. */
    public InetSocketAddress farSide() {
        return (InetSocketAddress) farSide.getLocalSocketAddress();
    }

    private static double check(double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("a probability is in [0, 1], got " + probability);
        }
        return probability;
    }

    private boolean chance(double probability) {
        if (probability <= 0) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < probability;
        }
    }

    private void copy(DatagramSocket from, boolean upwards) {
        byte[] buffer = new byte[65535];
        byte[] held = null;
        DatagramSocket out = upwards ? farSide : nearSide;
        Direction counters = upwards ? fromNear : fromFar;
        while (!from.isClosed()) {
            try {
                DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
                try {
                    from.receive(datagram);
                } catch (SocketTimeoutException idle) {
                    if (held != null) {
                        send(out, held, upwards, counters);
                        held = null;
                    }
                    continue;
                }
                if (upwards && learnsNear) {
                    nearAddress = (InetSocketAddress) datagram.getSocketAddress();
                }
                // A datagram of an emulated link may carry several frames: each crosses (or is lost,
                // held back, duplicated) on its own, in a datagram of its own, as on a real wire.
                List<byte[]> frames = new ArrayList<>();
                TunnelFraming.scan(ByteBuffer.wrap(buffer, 0, datagram.getLength()), 0, datagram.getLength(),
                        (offset, length) -> frames.add(Arrays.copyOfRange(buffer, offset, offset + length)));
                for (byte[] frame : frames) {
                    held = relay(frame, held, out, upwards, counters);
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One frame across the link; returns the frame now held back for reordering, if any. */
    private byte[] relay(byte[] frame, byte[] held, DatagramSocket out, boolean upwards, Direction counters)
            throws IOException {
        counters.received.incrementAndGet();
        boolean lost = chance(loss);
        LinkObserver watching = observer;
        if (watching != null) {
            watching.onDatagram(upwards ? nearEnd : farEnd, frame, lost, System.nanoTime());
        }
        if (lost) {
            counters.dropped.incrementAndGet();
            return held;
        }
        if (held == null && chance(reordering)) {
            counters.reordered.incrementAndGet();
            return frame;
        }
        send(out, frame, upwards, counters);
        if (chance(duplication)) {
            counters.duplicated.incrementAndGet();
            send(out, frame, upwards, counters);
        }
        if (held != null) {
            send(out, held, upwards, counters);
        }
        return null;
    }

    private void send(DatagramSocket out, byte[] frame, boolean upwards, Direction counters) throws IOException {
        InetSocketAddress to = upwards ? farAddress : nearAddress;
        if (to != null) {
            out.send(new DatagramPacket(frame, frame.length, to));
            counters.forwarded.incrementAndGet();
        }
    }

    @Override
    public void close() {
        nearSide.close();
        farSide.close();
        try {
            up.join(2000);
            down.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FabricLink[" + name + ", from " + nearEnd + " " + fromNear.snapshot() + ", from " + farEnd + " "
                + fromFar.snapshot() + "]";
    }
}
