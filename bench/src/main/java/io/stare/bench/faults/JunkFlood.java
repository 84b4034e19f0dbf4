package io.stare.bench.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Strangers on the machine sending junk to every listener of a deployment: random datagrams of 1 to
 * 512 bytes to each UDP target, and a connection carrying 1 to 512 random bytes, then closed, to each
 * TCP target; one of each per target at a steady rate, until closed (or ten minutes, whichever comes
 * first). The connections are made by a pool of threads, so a listener that accepts slowly (or not
 * at all) does not slow the flood down: the offered rate stays. Seeded, so a run can be replayed.
 */
final class JunkFlood implements AutoCloseable {

    private static final long LONGEST_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final List<InetSocketAddress> udp;
    private final List<InetSocketAddress> tcp;
    private final long periodNanos;
    private final Random random;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Thread thread;
    /** Connects in parallel; a full queue drops the attempt (counted as refused): bounded memory. */
    private final ThreadPoolExecutor connectors = new ThreadPoolExecutor(32, 32, 1, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(4096), runnable -> {
                Thread connector = new Thread(runnable, "junk-flood-connect");
                connector.setDaemon(true);
                return connector;
            }, (runnable, pool) -> refused.incrementAndGet());
    private volatile boolean flooding = true;

    /**
     * @param perSecond junk messages per second to each target
     */
    JunkFlood(List<InetSocketAddress> udp, List<InetSocketAddress> tcp, int perSecond, long seed) {
        this.udp = List.copyOf(udp);
        this.tcp = List.copyOf(tcp);
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.random = new Random(seed);
        this.thread = new Thread(this::flood, "junk-flood");
        thread.setDaemon(true);
    }

    JunkFlood start() {
        thread.start();
        return this;
    }

    /** Junk messages sent: datagrams, and connections that got their junk written. */
    long sent() {
        return sent.get();
    }

    /**
     * Connections that did not get their junk through: refused, reset or not accepted within 200 ms
     * (a listener that throttles its accepts), or dropped because 4,096 attempts were waiting.
     */
    long refused() {
        return refused.get();
    }

    private void flood() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            long start = System.nanoTime();
            for (long round = 0; flooding && System.nanoTime() - start < LONGEST_NANOS; round++) {
                long due = start + round * periodNanos;
                for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                    LockSupport.parkNanos(due - now);
                }
                for (InetSocketAddress target : udp) {
                    byte[] junk = junk();
                    socket.send(new DatagramPacket(junk, junk.length, target));
                    sent.incrementAndGet();
                }
                for (InetSocketAddress target : tcp) {
                    byte[] junk = junk();
                    connectors.execute(() -> connectAndWrite(target, junk));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the junk flood's own socket failed", e);
        }
    }

    private void connectAndWrite(InetSocketAddress target, byte[] junk) {
        try (Socket socket = new Socket()) {
            socket.connect(target, 200);
            OutputStream out = socket.getOutputStream();
            out.write(junk);
            out.flush();
            sent.incrementAndGet();
        } catch (IOException e) {
            refused.incrementAndGet();
        }
    }

    private synchronized byte[] junk() {
        byte[] junk = new byte[1 + random.nextInt(512)];
        random.nextBytes(junk);
        return junk;
    }

    @Override
    public void close() throws InterruptedException {
        flooding = false;
        thread.join(TimeUnit.SECONDS.toMillis(10));
        connectors.shutdownNow();
        connectors.awaitTermination(10, TimeUnit.SECONDS);
    }
}
