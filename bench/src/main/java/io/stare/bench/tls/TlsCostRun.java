package io.stare.bench.tls;

import io.stare.bench.scale.Percentiles;
import io.stare.protocol.tls.CertificateAuthority;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The measurements of {@code stare bench tls}, each plain then over TLS, and the table they make.
 * Certificates come from a fresh CA in the run's directory (RSA 2048, as {@code stare tls} makes them).
 */
public final class TlsCostRun {

    private TlsCostRun() {
    }

    /** Runs every measurement and prints its row as it completes, then the table. */
    public static List<TlsCost> run(Path directory, boolean quick, PrintWriter out) throws Exception {
        Path pki = certificates(directory);
        int scale = quick ? 5 : 1;
        List<TlsCost> rows = new ArrayList<>();
        for (int payload : new int[] {64, 1024}) {
            out.printf("gateway: %d-byte updates one at a time, plain then TLS...%n", payload);
            out.flush();
            int measured = 10_000 / scale;
            GatewayCost.Figures plain = GatewayCost.latency(null, payload, measured / 5, measured);
            GatewayCost.Figures tls = GatewayCost.latency(pki, payload, measured / 5, measured);
            rows.add(new TlsCost("gateway", "publish acknowledged, " + payload + " B", plain.acknowledged(),
                    tls.acknowledged()));
            rows.add(new TlsCost("gateway", "publish→delivery (h1 to h2), " + payload + " B", plain.delivered(),
                    tls.delivered()));
        }
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tls-cost-p4runtime");
        try {
            out.println("P4Runtime: Capabilities round trips, plain then TLS...");
            out.flush();
            P4RuntimeCost.Figures plain = P4RuntimeCost.roundTrips(system, null, 2_000 / scale, 10_000 / scale);
            P4RuntimeCost.Figures tls = P4RuntimeCost.roundTrips(system, pki, 2_000 / scale, 10_000 / scale);
            rows.add(new TlsCost("P4Runtime", "unary call round trip", plain.roundTrips(), tls.roundTrips()));
            rows.add(new TlsCost("P4Runtime", "first call (connect, handshake)", single(plain.firstCallNanos()),
                    single(tls.firstCallNanos())));
        } finally {
            system.terminate();
        }
        for (int payload : new int[] {64, 128 * 1024}) {
            out.printf("cluster: %d-byte asks, plain then TLS...%n", payload);
            out.flush();
            int measured = (payload > 1024 ? 1_000 : 10_000) / scale;
            rows.add(new TlsCost("cluster", "ask round trip, " + (payload > 1024 ? "128 KiB (an Append batch)"
                    : payload + " B (a control request)"),
                    ClusterCost.roundTrips(null, payload, measured / 5, measured),
                    ClusterCost.roundTrips(pki, payload, measured / 5, measured)));
        }
        print(rows, out);
        return rows;
    }

    /** A fresh CA and the certificates of every side, in {@code directory/pki}. */
    private static Path certificates(Path directory) throws IOException, InterruptedException {
        Path pki = directory.resolve("pki");
        if (Files.exists(pki)) {
            try (Stream<Path> old = Files.walk(pki)) {
                for (Path path : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        CertificateAuthority ca = CertificateAuthority.create(pki, "stare-bench-ca", 2);
        for (String node : List.of("gateway", "vnf", "switch", "agent", "a", "b")) {
            ca.issue(node, List.of(), 2);
        }
        return pki;
    }

    private static Percentiles single(long nanos) {
        return new Percentiles(1, nanos, nanos, nanos, nanos);
    }

    private static void print(List<TlsCost> rows, PrintWriter out) {
        out.println();
        out.println("TLS 1.3 with mutual authentication against plain text, same machine, same run (µs)");
        out.printf(Locale.ROOT, "%-10s %-44s %9s %9s %9s %9s %8s %8s%n", "channel", "what", "plain p50", "TLS p50",
                "plain p99", "TLS p99", "p50 ×", "p99 ×");
        for (TlsCost row : rows) {
            out.printf(Locale.ROOT, "%-10s %-44s %9s %9s %9s %9s %8s %8s%n", row.channel(), row.what(),
                    micros(row.plain().p50()), micros(row.tls().p50()), micros(row.plain().p99()),
                    micros(row.tls().p99()), ratio(row.tls().p50(), row.plain().p50()),
                    ratio(row.tls().p99(), row.plain().p99()));
        }
        out.flush();
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%,.1f", nanos / 1_000.0);
    }

    private static String ratio(long tls, long plain) {
        return plain == 0 ? "-" : String.format(Locale.ROOT, "%.2f", tls / (double) plain);
    }
}
