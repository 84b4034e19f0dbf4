package io.stare.testkit;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The link between one host's middleware and its switch port: a loopback relay (two sockets, two
 * threads) that can drop, duplicate and reorder datagrams in both directions, with probabilities
 * adjustable while the fabric runs and a seeded random source, so a failing run can be replayed.
 * A fresh link is perfect (all probabilities 0).
 */
public final class FabricLink implements AutoCloseable {

    private final String host;
    private final DatagramSocket towardsServer;
    private final DatagramSocket towardsSwitch;
    private final InetSocketAddress switchPort;
    private volatile InetSocketAddress server;
    private final Random random;
    private volatile double loss;
    private volatile double duplication;
    private volatile double reordering;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private final Thread up;
    private final Thread down;

    FabricLink(String host, InetSocketAddress switchPort, long seed) throws IOException {
        this.host = host;
        this.switchPort = switchPort;
        this.random = new Random(seed);
        this.towardsServer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.towardsSwitch = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        for (DatagramSocket socket : new DatagramSocket[] {towardsServer, towardsSwitch}) {
            socket.setReceiveBufferSize(4 << 20);
            socket.setSoTimeout(50);
        }
        this.up = new Thread(() -> copy(towardsServer, true), "stare-link-" + host + "-up");
        this.down = new Thread(() -> copy(towardsSwitch, false), "stare-link-" + host + "-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
    }

    /** The host this link attaches. */
    public String host() {
        return host;
    }

    /** Drops each datagram (either direction) with this probability, from now on. */
    public FabricLink loss(double probability) {
        this.loss = check(probability);
        return this;
    }

    /** Sends each datagram (either direction) twice with this probability, from now on. */
    public FabricLink duplication(double probability) {
        this.duplication = check(probability);
        return this;
    }

    /** Holds back each datagram behind the next one with this probability, from now on. */
    public FabricLink reordering(double probability) {
        this.reordering = check(probability);
        return this;
    }

    /** Makes the link perfect again. */
    public FabricLink heal() {
        return loss(0).duplication(0).reordering(0);
    }

    /** Datagrams dropped so far. */
    public long dropped() {
        return dropped.get();
    }

    /** Datagrams sent twice so far. */
    public long duplicated() {
        return duplicated.get();
    }

    /** Datagrams held back behind a later one so far. */
    public long reordered() {
        return reordered.get();
    }

    /** Where the middleware sends its frames (the relay's server side). */
    InetSocketAddress serverSide() {
        return (InetSocketAddress) towardsServer.getLocalSocketAddress();
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
        DatagramSocket out = upwards ? towardsSwitch : towardsServer;
        while (!from.isClosed()) {
            try {
                DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
                try {
                    from.receive(datagram);
                } catch (SocketTimeoutException idle) {
                    if (held != null) {
                        send(out, held, upwards);
                        held = null;
                    }
                    continue;
                }
                byte[] frame = Arrays.copyOf(buffer, datagram.getLength());
                if (upwards) {
                    server = (InetSocketAddress) datagram.getSocketAddress();
                }
                if (chance(loss)) {
                    dropped.incrementAndGet();
                    continue;
                }
                if (held == null && chance(reordering)) {
                    reordered.incrementAndGet();
                    held = frame;
                    continue;
                }
                send(out, frame, upwards);
                if (chance(duplication)) {
                    duplicated.incrementAndGet();
                    send(out, frame, upwards);
                }
                if (held != null) {
                    send(out, held, upwards);
                    held = null;
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void send(DatagramSocket out, byte[] frame, boolean upwards) throws IOException {
        InetSocketAddress to = upwards ? switchPort : server;
        if (to != null) {
            out.send(new DatagramPacket(frame, frame.length, to));
        }
    }

    @Override
    public void close() {
        towardsServer.close();
        towardsSwitch.close();
        try {
            up.join(2000);
            down.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
