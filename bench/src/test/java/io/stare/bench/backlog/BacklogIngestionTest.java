package io.stare.bench.backlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.controller.ControllerStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the backlog ingestion benchmark in its smallest form: the memory store, one
 * controller node, one second. It checks that segments get persisted and the report has its shape,
 * never how fast: timing is the benchmark's business, not a test's.
 */
class BacklogIngestionTest {

    @Test
    @Timeout(60)
    void aTinyRunPersistsSegmentsAndWritesTheCsv(@TempDir Path dir) throws Exception {
        BacklogIngestion.Options options = new BacklogIngestion.Options(List.of(ControllerStore.Kind.MEMORY),
                List.of(1), 4, 1400, 8, 2, Duration.ofSeconds(1), Duration.ofMillis(500), 1,
                BacklogIngestion.Driver.SEPARATE, 1000, Duration.ofSeconds(5));
        List<String> progress = new ArrayList<>();
        BacklogReport report = BacklogIngestion.run(options, progress::add);

        assertEquals(1, report.rows().size());
        BacklogReport.Row row = report.rows().get(0);
        assertNull(row.skipped());
        assertNull(row.failure(), () -> "failed: " + row.failure());
        assertEquals(1, row.repetitions().size());
        BacklogReport.Repetition rep = row.repetitions().get(0);
        assertTrue(rep.segmentsPerSecond() > 0, "segments were persisted");
        assertTrue(rep.megabytesPerSecond() > 0);
        assertTrue(rep.confirmedSegments() > 0);
        assertTrue(rep.p99Millis() >= rep.p50Millis());
        assertEquals("4", rep.statesPerNode(), "the one controller node hosts every state");
        assertEquals(1, progress.size(), String.valueOf(progress));
        assertTrue(progress.get(0).startsWith("store memory, 1 node, rep 1/1: "), progress.get(0));
        assertTrue(progress.get(0).contains(" seg/s"), progress.get(0));

        Path csv = dir.resolve("backlog.csv");
        report.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(BacklogReport.CSV_HEADER, lines.get(0));
        assertEquals("store,nodes,driver,states,segment_bytes,batch,window,duration_s,repetition,status,"
                + "segments_per_s,mb_per_s,p50_ms,p99_ms,confirmed_segments,abandoned_segments,states_per_node,note",
                lines.get(0));
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).startsWith("memory,1,separate,4,1400,8,2,1.000,1,ok,"), lines.get(1));

        StringWriter table = new StringWriter();
        report.printTable(new PrintWriter(table));
        assertTrue(table.toString().contains("memory"), table.toString());
    }

    @Test
    void optionsRejectABatchBeyondTheAppendBudget() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                new BacklogIngestion.Options(List.of(ControllerStore.Kind.MEMORY), List.of(1), 16, 1400, 128, 4,
                        Duration.ofSeconds(1), Duration.ZERO, 1, BacklogIngestion.Driver.SEPARATE, 1000,
                        Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("Append budget"), e.getMessage());
    }

    @Test
    void aSkippedRowSaysWhyInTheTableAndTheCsv() {
        BacklogReport report = new BacklogReport(BacklogIngestion.Options.defaults(), List.of(
                BacklogReport.Row.skipped(ControllerStore.Kind.POSTGRES, 2, "PostgreSQL at x is unreachable: refused")));
        StringWriter table = new StringWriter();
        report.printTable(new PrintWriter(table));
        assertTrue(table.toString().contains("postgres      2  skipped: PostgreSQL at x is unreachable: refused"),
                table.toString());
        assertTrue(report.csv().contains("\npostgres,2,separate,16,1400,32,4,10.000,,skipped,,,,,,,,\"PostgreSQL"),
                report.csv());
    }
}
