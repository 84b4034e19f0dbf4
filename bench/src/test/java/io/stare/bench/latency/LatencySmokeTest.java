package io.stare.bench.latency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The harness end to end on the raw UDP floor and STARE, briefly and slowly: deliveries arrive, the CSV has its header. No timing assertions. */
@Timeout(120)
class LatencySmokeTest {

    @Test
    void udpFloorAndStareDeliverAndReport() {
        LatencyBenchmark.Options options = new LatencyBenchmark.Options(List.of("stare", "udp"), List.of(2),
                List.of(64), 200, Duration.ofSeconds(1), Duration.ofMillis(200), 1, Duration.ofMillis(500),
                LatencyBenchmark.Search.OFF, Duration.ofSeconds(1));
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
    void theRateSearchFindsWhatTheFloorSustainsAndThePlotsAreWritten(@TempDir Path dir) throws Exception {
        LatencyBenchmark.Options options = new LatencyBenchmark.Options(List.of("udp"), List.of(1, 2), List.of(64),
                1_000, Duration.ofMillis(300), Duration.ofMillis(100), 2, Duration.ofMillis(300),
                LatencyBenchmark.Search.FIRST, Duration.ofMillis(200));
        List<LatencyBenchmark.Row> rows = LatencyBenchmark.run(options, new PrintWriter(new StringWriter()));

        LatencyBenchmark.Row first = rows.get(0);
        assertTrue(first.ok(), first.status());
        assertNotNull(first.maxRate(), "the first cell searches");
        assertNull(rows.get(1).maxRate(), "only the first cell searches");
        // What the machine sustains is the benchmark's figure, not this test's (a loaded machine loses
        // packets at rates an idle one carries): the search starts at its first rate, and the rate it
        // reports is the highest it tried without loss.
        String trials = first.maxRate().trials();
        assertTrue(trials.matches(LatencyBenchmark.SEARCH_START + "[+-]( [0-9]+[+-])*"), trials);
        long bestSustained = Arrays.stream(trials.split(" ")).filter(t -> t.endsWith("+"))
                .mapToLong(t -> Long.parseLong(t.substring(0, t.length() - 1))).max().orElse(-1);
        if (bestSustained >= 0) {
            assertEquals(bestSustained, first.maxRate().rate(), first.maxRate().toString());
        }
        assertTrue(first.spread().p50Low() <= first.spread().p50High(), first.spread().toString());

        List<Path> plots = LatencyPlots.write(rows, dir);
        assertEquals(List.of(dir.resolve("latency-p50-64B.png"), dir.resolve("latency-p99-64B.png"),
                dir.resolve("latency-max-rate.png")), plots);
        for (Path plot : plots) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(plot), 4);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head, plot + " is not a PNG");
        }
        StringWriter table = new StringWriter();
        LatencyReport.print(rows, new PrintWriter(table));
        assertTrue(table.toString().contains("Highest rate sustained without loss"), table.toString());
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
