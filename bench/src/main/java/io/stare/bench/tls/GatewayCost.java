package io.stare.bench.tls;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.stare.bench.scale.Percentiles;
import io.stare.client.GatewayTls;
import io.stare.client.StareClient;
import io.stare.fabric.LocalFabric;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The VNF gateway's TLS: a publisher VNF on h1 and a subscriber VNF on h2 of an embedded fabric,
 * each a TCP client of its server's gateway (as a VNF in a process of its own attaches). The
 * publisher publishes one update at a time and waits for its acknowledgement (the TCP client's
 * publish is one round trip), so no queue builds up in front of what is measured: the
 * acknowledgement's round trip, and the delivery latency taken from the send time each value carries.
 */
final class GatewayCost {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private GatewayCost() {
    }

    /** The publish acknowledgements' round trips and the deliveries' latencies. */
    record Figures(Percentiles acknowledged, Percentiles delivered) {
    }

    /**
     * {@code measured} updates of {@code payloadBytes}, one at a time, after {@code warmup} unmeasured ones.
     *
     * @param pki the CA's directory with {@code gateway} and {@code vnf} issued; null for plain TCP
     */
    static Figures latency(Path pki, int payloadBytes, int warmup, int measured) throws Exception {
        LocalFabric.Builder<? extends LocalFabric> builder = LocalFabric.builder()
                .config(ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING"));
        if (pki != null) {
            builder.config(ConfigFactory.empty().withValue("stare.middleware.gateway.tls-directory",
                    ConfigValueFactory.fromAnyRef(pki.resolve("gateway").toString())));
        }
        try (LocalFabric fabric = builder.start()) {
            GatewayTls vnfTls = pki == null ? null : GatewayTls.fromDirectory(pki.resolve("vnf"));
            try (StareClient publisher = StareClient.connect(fabric.gateway("h1"), "tls-cost-publisher", TIMEOUT, "",
                         vnfTls);
                 StareClient subscriber = StareClient.connect(fabric.gateway("h2"), "tls-cost-subscriber", TIMEOUT,
                         "", vnfTls)) {
                int state = fabric.await(publisher.declare("tls-cost"));
                Histogram histogram = Percentiles.histogram();
                AtomicLong received = new AtomicLong();
                fabric.await(subscriber.subscribe("tls-cost", (stateId, update, value) -> {
                    long sent = ByteBuffer.wrap(value).getLong(0);
                    if (update >= warmup) {
                        synchronized (histogram) {
                            histogram.recordValue(System.nanoTime() - sent);
                        }
                    }
                    received.incrementAndGet();
                }));
                fabric.awaitRoute(state, "h1", "h2");
                byte[] value = new byte[Math.max(8, payloadBytes)];
                int total = warmup + measured;
                Histogram acknowledged = Percentiles.histogram();
                for (int i = 0; i < total; i++) {
                    long sent = System.nanoTime();
                    ByteBuffer.wrap(value).putLong(0, sent);
                    fabric.await(publisher.publish(state, value));
                    if (i >= warmup) {
                        acknowledged.recordValue(System.nanoTime() - sent);
                    }
                }
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (received.get() < total && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(1_000_000);
                }
                if (received.get() < total) {
                    throw new IllegalStateException("the subscriber got " + received.get() + " of " + total
                            + " updates within " + TIMEOUT);
                }
                synchronized (histogram) {
                    return new Figures(Percentiles.of(acknowledged), Percentiles.of(histogram));
                }
            }
        }
    }
}
