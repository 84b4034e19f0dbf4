package io.stare.bench.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The harness against a system it fully controls: a stall of the publisher shows up as latency of
 * every update that was due during it (coordinated omission handled), and ratios are to STARE's row.
 */
@Timeout(60)
class CoordinatedOmissionTest {

    private static final long STALL_MILLIS = 100;

    /** Delivers every publish at once, but stalls 100 ms on every 1000th update. */
    private static final class StallingSystem implements PubSubSystem {
        @Override
        public String name() {
            return "stalling";
        }

        @Override
        public String path() {
            return "in-process, a 100 ms stall every 1000 updates";
        }

        @Override
        public Session start(int subscribers, int payloadSize, Receiver receiver) {
            return new Session() {
                @Override
                public boolean publish(byte[] payload) throws Exception {
                    if (Payloads.sequence(payload, 0) % 1000 == 999) {
                        Thread.sleep(STALL_MILLIS); // a stalled publisher: the subject of this test
                    }
                    receiver.onDelivery(0, payload, 0, payload.length, System.nanoTime());
                    return true;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void aStalledPublisherShowsUpAsLatencyOfEveryUpdateDueDuringTheStall() throws Exception {
        LatencyBenchmark.Options options = new LatencyBenchmark.Options(List.of("udp"), List.of(1), List.of(64),
                1_000, Duration.ofSeconds(1), Duration.ofMillis(100), 1, Duration.ofMillis(200),
                LatencyBenchmark.Search.OFF, Duration.ofSeconds(1));
        LatencyBenchmark.Row row = LatencyBenchmark.runCell(new StallingSystem(), 1, 64, options);

        assertEquals(1_000, row.sent());
        assertEquals(1_000, row.delivered());
        // The measured second holds one stall; the ~100 updates due during it are sent late, each
        // stamped with its due time, so about 10% of the samples lie between 0 and 100 ms. Measured
        // from the actual send time only the stalled update would be late, and p99 would be ~0.
        assertTrue(row.max() >= STALL_MILLIS * 1000 * 0.9, "max " + row.max() + " µs");
        assertTrue(row.p99() >= STALL_MILLIS * 1000 * 0.5, "p99 " + row.p99() + " µs");
        assertTrue(row.p50() < STALL_MILLIS * 1000 * 0.5, "p50 " + row.p50() + " µs");
    }

    @Test
    void everyRatioIsToStaresRowForTheSameCell() {
        LatencyBenchmark.Row stare = row("stare", 4, 100, 1_000);
        LatencyBenchmark.Row other = row("nats", 4, 25, 4_000);
        LatencyBenchmark.Row otherCell = row("nats", 1, 25, 4_000);
        List<LatencyBenchmark.Row> rows = List.of(stare, other, otherCell);
        java.io.StringWriter csv = new java.io.StringWriter();
        LatencyReport.writeCsv(rows, new java.io.PrintWriter(csv));
        String[] lines = csv.toString().split("\n");
        List<String> header = List.of(lines[0].trim().split(","));
        int p50Ratio = header.indexOf("p50_vs_stare");
        int maxRateRatio = header.indexOf("max_rate_vs_stare");
        assertEquals("1.000", lines[1].split(",")[p50Ratio]);
        assertEquals("0.250", lines[2].split(",")[p50Ratio]);
        assertEquals("4.000", lines[2].split(",")[maxRateRatio]);
        assertEquals("", lines[3].split(",", -1)[p50Ratio], "no STARE row for N = 1: no ratio");
    }

    private static LatencyBenchmark.Row row(String system, int n, double p50, int maxRate) {
        return new LatencyBenchmark.Row(system, n, 64, 10_000, "ok", p50, p50 * 2, p50 * 3, p50 * 4, 10, 10 * n, 0, 0,
                10_000, 10_000, "", LatencyBenchmark.Spread.NONE, new LatencyBenchmark.MaxRate(maxRate, p50, p50, ""),
                LatencyBenchmark.Cost.UNKNOWN);
    }
}
