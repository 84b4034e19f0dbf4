package io.stare.bench.latency;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Aeron over UDP on 127.0.0.1 with an embedded media driver: one exclusive publication sends every
 * message to N subscriptions, each on its own UDP endpoint with its own polling thread.
 *
 * <p><b>Fan-out.</b> The publication is a manual multi-destination-cast publication
 * ({@code aeron:udp?control-mode=manual}) with one {@code addDestination} per subscriber endpoint:
 * the publisher writes each message once into its log and the driver's sender sends it to every
 * destination, which is Aeron's own answer to "one stream, several unicast receivers" without IP
 * multicast (loopback has none), and the closest match to a switch copying a packet to N ports. N
 * separate publications would copy each message N times in the publisher instead. Flow control is
 * {@code fc=min}: the publisher is held to the slowest subscriber, so every subscriber is meant to
 * get every message (the default, {@code max}, lets a slow subscriber fall behind and lose data).
 * Terms are 1 MiB ({@code term-length}) rather than the default 16 MiB, so N = 16 images do not map
 * hundreds of megabytes; a 16 KB message still fits (the limit is an eighth of a term) and is
 * fragmented at the default 1408 B MTU and reassembled by a {@link FragmentAssembler}.
 *
 * <p><b>Threads and idling.</b> The machine has 2 cores, so the driver runs {@link ThreadingMode#SHARED}
 * (conductor, sender and receiver on one thread) and every agent that waits for work, the driver and
 * the subscribers' poll loops, uses a {@link BackoffIdleStrategy}: a few spins and yields, then parks
 * that grow from 1 µs to {@value #MAX_PARK_US} µs. Aeron's low-latency setup busy-spins every agent,
 * which with N + 1 agents would take every core from the publisher; its default backoff parks for up to
 * 1 ms, which would show as latency whenever an agent has gone idle between updates. The 100 µs ceiling
 * is between the two: an idle agent wakes about 10,000 times a second, a small share of a core, and a
 * message can wait up to about {@value #MAX_PARK_US} µs (plus timer slack) for a parked agent.
 *
 * <p><b>Publishing.</b> {@link #start} returns once every subscription has an image of the
 * publication (all N connected). {@code offer} is retried while it answers {@code BACK_PRESSURED}
 * (the slowest subscriber's window is full) or {@code ADMIN_ACTION} (a term rotation), for at most
 * {@value #OFFER_TIMEOUT_MS} ms; {@code NOT_CONNECTED}, {@code CLOSED}, {@code MAX_POSITION_EXCEEDED}
 * or the timeout refuse the publish. The media driver's directory is a fresh one under
 * {@code java.io.tmpdir}, deleted when the session closes.
 */
public final class AeronSystem implements PubSubSystem {

    private static final int STREAM_ID = 1001;
    private static final String PUBLICATION_CHANNEL = "aeron:udp?control-mode=manual|fc=min|term-length=1048576";
    private static final String SUBSCRIPTION_CHANNEL = "aeron:udp?endpoint=127.0.0.1:0";
    private static final long MAX_PARK_US = 100;
    private static final long OFFER_TIMEOUT_MS = 1_000;
    private static final long CONNECT_TIMEOUT_MS = 10_000;
    private static final int FRAGMENT_LIMIT = 16;

    @Override
    public String name() {
        return "aeron";
    }

    @Override
    public String path() {
        return "Aeron exclusive publication, manual MDC (fc=min, 1 MiB terms) -> embedded media driver "
                + "(SHARED, backoff idle <= " + MAX_PARK_US + " us) -> N UDP destinations on 127.0.0.1 "
                + "-> N subscriptions, one poll thread each";
    }

    /**
     * The media driver's transport poller (Agrona) reads the JDK selector's key set by reflection,
     * which Java 17 allows only when {@code sun.nio.ch} is opened to it: the stare jar's manifest
     * does ({@code Add-Opens}), and so does the bench module's test configuration.
     */
    @Override
    public Optional<String> unavailable() {
        if (!Object.class.getModule().isOpen("sun.nio.ch", MediaDriver.class.getModule())) {
            return Optional.of("the Aeron media driver needs --add-opens java.base/sun.nio.ch=ALL-UNNAMED");
        }
        return Optional.empty();
    }

    @Override
    public Session start(int subscribers, int payloadSize, Receiver receiver) throws Exception {
        return new AeronSession(subscribers, payloadSize, receiver);
    }

    private static IdleStrategy backoff() {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(MAX_PARK_US));
    }

    private static final class AeronSession implements Session {
        private final File directory = new File(System.getProperty("java.io.tmpdir"),
                "stare-bench-aeron-" + UUID.randomUUID());
        private final List<Thread> threads = new ArrayList<>();
        private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[0]);
        private volatile boolean running = true;
        private MediaDriver driver;
        private Aeron aeron;
        private ExclusivePublication publication;
        private volatile String firstRefusal = "";

        AeronSession(int subscribers, int payloadSize, Receiver receiver) throws Exception {
            try {
                MediaDriver.Context driverContext = new MediaDriver.Context()
                        .threadingMode(ThreadingMode.SHARED)
                        .sharedIdleStrategy(backoff())
                        .dirDeleteOnStart(true)
                        .dirDeleteOnShutdown(true);
                driverContext.aeronDirectoryName(directory.getPath());
                driver = MediaDriver.launchEmbedded(driverContext);
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
                publication = aeron.addExclusivePublication(PUBLICATION_CHANNEL, STREAM_ID);
                List<Subscription> subscriptions = new ArrayList<>();
                for (int i = 0; i < subscribers; i++) {
                    Subscription subscription = aeron.addSubscription(SUBSCRIPTION_CHANNEL, STREAM_ID);
                    subscriptions.add(subscription);
                    publication.addDestination("aeron:udp?endpoint=" + resolvedEndpoint(subscription));
                    int index = i;
                    threads.add(new Thread(() -> poll(subscription, index, payloadSize, receiver),
                            "aeron-subscriber-" + i));
                }
                awaitConnected(subscriptions);
            } catch (Exception | Error e) {
                close();
                throw e;
            }
            for (Thread thread : threads) {
                thread.setDaemon(true);
                thread.start();
            }
        }

        /** The ephemeral port the driver bound for {@code subscription}, once it has. */
        private static String resolvedEndpoint(Subscription subscription) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
            String endpoint;
            while ((endpoint = subscription.resolvedEndpoint()) == null) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("aeron: the media driver bound no port for a subscription within "
                            + CONNECT_TIMEOUT_MS + " ms");
                }
                Thread.sleep(1);
            }
            return endpoint;
        }

        /** Waits until every subscription has an image of the publication, so no early message is lost. */
        private void awaitConnected(List<Subscription> subscriptions) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
            while (true) {
                int connected = 0;
                for (Subscription subscription : subscriptions) {
                    if (subscription.isConnected()) {
                        connected++;
                    }
                }
                if (connected == subscriptions.size() && publication.isConnected()) {
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("aeron: " + connected + " of " + subscriptions.size()
                            + " subscriptions connected to the publication within " + CONNECT_TIMEOUT_MS + " ms");
                }
                Thread.sleep(1);
            }
        }

        private void poll(Subscription subscription, int index, int payloadSize, Receiver receiver) {
            byte[] copy = new byte[payloadSize];
            FragmentHandler handler = (buffer, offset, length, header) -> {
                long now = System.nanoTime();
                byte[] target = length <= copy.length ? copy : new byte[length];
                buffer.getBytes(offset, target, 0, length);
                receiver.onDelivery(index, target, 0, length, now);
            };
            FragmentAssembler assembler = new FragmentAssembler(handler);
            IdleStrategy idle = backoff();
            while (running) {
                idle.idle(subscription.poll(assembler, FRAGMENT_LIMIT));
            }
        }

        @Override
        public boolean publish(byte[] payload) {
            sendBuffer.wrap(payload);
            long deadline = 0;
            while (true) {
                long result = publication.offer(sendBuffer, 0, payload.length);
                if (result > 0) {
                    return true;
                }
                if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) {
                    long now = System.nanoTime();
                    if (deadline == 0) {
                        deadline = now + TimeUnit.MILLISECONDS.toNanos(OFFER_TIMEOUT_MS);
                    } else if (now - deadline > 0) {
                        return refuse((result == Publication.BACK_PRESSURED ? "BACK_PRESSURED" : "ADMIN_ACTION")
                                + " for " + OFFER_TIMEOUT_MS + " ms");
                    }
                    // Let the driver's thread, which frees the window, have the core.
                    Thread.yield();
                    continue;
                }
                return refuse(result == Publication.NOT_CONNECTED ? "NOT_CONNECTED"
                        : result == Publication.CLOSED ? "CLOSED"
                        : result == Publication.MAX_POSITION_EXCEEDED ? "MAX_POSITION_EXCEEDED"
                        : "offer returned " + result);
            }
        }

        private boolean refuse(String reason) {
            if (firstRefusal.isEmpty()) {
                firstRefusal = reason;
            }
            return false;
        }

        @Override
        public String firstRefusal() {
            return firstRefusal;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread thread : threads) {
                thread.join(2000);
            }
            // Closing the client closes its publication and subscriptions; the driver then deletes
            // its directory, and the delete below covers a driver that failed half-way through.
            CloseHelper.closeAll(aeron, driver);
            IoUtil.delete(directory, true);
        }
    }
}
