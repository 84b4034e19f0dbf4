package io.stare.bench.tls;

import io.stare.bench.scale.Percentiles;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.protocol.tls.TlsDirectory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcClientSettings;
import p4.v1.CapabilitiesRequest;
import p4.v1.P4RuntimeClient;

/**
 * P4Runtime's TLS: unary Capabilities calls, one at a time, from a gRPC client to the software
 * switch's server, both in this JVM over loopback; the first call (the connection and, with TLS,
 * its handshake) is reported apart.
 */
final class P4RuntimeCost {

    private P4RuntimeCost() {
    }

    /** Round trips of {@code measured} calls after {@code warmup}, and the first call's time. */
    record Figures(Percentiles roundTrips, long firstCallNanos) {
    }

    /** @param pki the CA's directory with {@code switch} and {@code agent} issued; null for plain text */
    static Figures roundTrips(ActorSystem<?> system, Path pki, int warmup, int measured) throws Exception {
        SoftSwitchNode.Settings settings = new SoftSwitchNode.Settings("s1", 1, List.of(PortBinding.loopback(0)),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty(), 0);
        if (pki != null) {
            settings = settings.withTls(TlsDirectory.load(pki.resolve("switch"), "P4Runtime TLS"));
        }
        SoftSwitchNode node = SoftSwitchNode.start(system, settings);
        try {
            GrpcClientSettings grpc = GrpcClientSettings.connectToServiceAt("127.0.0.1", node.grpcAddress().getPort(),
                    system);
            grpc = pki == null ? grpc.withTls(false)
                    : grpc.withTls(true).withSslContext(TlsDirectory.load(pki.resolve("agent"), "P4Runtime TLS"));
            P4RuntimeClient client = P4RuntimeClient.create(grpc, system);
            try {
                long first = System.nanoTime();
                call(client);
                long firstCall = System.nanoTime() - first;
                Histogram histogram = Percentiles.histogram();
                for (int i = 0; i < warmup + measured; i++) {
                    long start = System.nanoTime();
                    call(client);
                    if (i >= warmup) {
                        histogram.recordValue(System.nanoTime() - start);
                    }
                }
                return new Figures(Percentiles.of(histogram), firstCall);
            } finally {
                client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        } finally {
            node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void call(P4RuntimeClient client) throws Exception {
        client.capabilities(CapabilitiesRequest.getDefaultInstance()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
