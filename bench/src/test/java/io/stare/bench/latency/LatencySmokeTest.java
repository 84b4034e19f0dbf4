package io.stare.bench.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The harness end to end on the raw UDP floor and STARE, briefly and slowly: deliveries arrive, the CSV has its header. No timing assertions. */
@Timeout(60)
class LatencySmokeTest {

    @Test
    void udpFloorAndStareDeliverAndReport() {
        LatencyBenchmark.Options options = new LatencyBenchmark.Options(List.of("stare", "udp"), List.of(2),
                List.of(64), 200, Duration.ofSeconds(1), Duration.ofMillis(200), 1, Duration.ofMillis(500));
        StringWriter progress = new StringWriter();
        List<LatencyBenchmark.Row> rows = LatencyBenchmark.run(options, new PrintWriter(progress));

        assertEquals(2, rows.size(), progress.toString());
        for (LatencyBenchmark.Row row : rows) {
            assertTrue(row.ok(), row.system() + ": " + row.status());
            assertTrue(row.delivered() > 0, row.system() + " delivered nothing");
            assertEquals(200, row.sent(), row.system());
        }
        StringWriter csv = new StringWriter();
        LatencyReport.writeCsv(rows, new PrintWriter(csv));
        String[] lines = csv.toString().split("\n");
        assertEquals(LatencyReport.CSV_HEADER, lines[0].trim());
        assertEquals(3, lines.length);
        StringWriter table = new StringWriter();
        LatencyReport.print(rows, new PrintWriter(table));
        assertTrue(table.toString().contains("stare"), table.toString());
    }

    @Test
    void anUnreachableRedisIsSkippedWithAReason() {
        assertTrue(new RedisSystem("127.0.0.1", 1).unavailable().isPresent());
    }

    @Test
    void payloadStampRoundTrips() {
        byte[] payload = Payloads.allocate(64);
        Payloads.stamp(payload, -123_456_789_012L, 42);
        assertEquals(-123_456_789_012L, Payloads.intendedNanos(payload, 0));
        assertEquals(42, Payloads.sequence(payload, 0));
    }

    @Test
    void durationsParse() {
        assertEquals(Duration.ofSeconds(10), LatencyBenchmark.parseDuration("10s"));
        assertEquals(Duration.ofMillis(500), LatencyBenchmark.parseDuration("500ms"));
        assertEquals(Duration.ofMinutes(2), LatencyBenchmark.parseDuration("2m"));
    }
}
