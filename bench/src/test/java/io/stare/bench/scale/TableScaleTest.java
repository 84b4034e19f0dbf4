package io.stare.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.program.StareProgram;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tiny table run: every subscription installed, memory grows with states, publishes reach one port. */
class TableScaleTest {

    @Test
    void installsEveryStateAndMemoryGrowsWithTheTable() {
        TableScale.Options options = new TableScale.Options(List.of(2_000, 60_000), TableScale.bothModes(), 2_000,
                5_000, 64, 1);
        StringWriter progress = new StringWriter();
        List<TableScale.Row> rows = TableScale.run(options, new PrintWriter(progress));
        assertEquals(4, rows.size());
        for (TableScale.Row row : rows) {
            assertEquals("ok", row.status(), row.toString());
            assertEquals(row.states(), row.installed(), "one subscription per state: " + row);
            assertEquals(5_000, row.publish().count());
            assertEquals(0, row.misdelivered(), "every publish leaves by its subscriber's port: " + row);
            assertTrue(row.publish().p50() > 0, row.toString());
        }
        TableScale.Row smallEmbedded = rows.get(1);
        TableScale.Row largeEmbedded = rows.get(3);
        assertEquals(StareProgram.Mode.EMBEDDED, largeEmbedded.mode());
        // A table entry and a controller mask per state: tens of bytes each, so 58,000 more states
        // are megabytes more, far above the collector's noise.
        assertTrue(largeEmbedded.heapBytes() > smallEmbedded.heapBytes() + 1_000_000,
                smallEmbedded + " vs " + largeEmbedded);
        assertTrue(largeEmbedded.controllerBytes() > 0, "the local controller keeps a mask per state");
        assertTrue(progress.toString().contains("table: embedded mode, 60,000 states"), progress.toString());

        ScaleBenchmark.Results results = new ScaleBenchmark.Results(rows, List.of(), List.of(), List.of());
        StringWriter table = new StringWriter();
        ScaleReport.print(results, new PrintWriter(table));
        assertTrue(table.toString().contains("| embedded | 60,000 | 60,000 |"), table.toString());
        StringWriter csv = new StringWriter();
        ScaleReport.writeCsv(results, new PrintWriter(csv));
        assertTrue(csv.toString().startsWith("part,mode,setting,metric,value,unit"), csv.toString());
        assertTrue(csv.toString().contains("table,embedded,states=60000,installed,60000,subscriptions"), csv.toString());
    }

    @Test
    void refusesCountsOutsideTheStateSpaceAndNamesTheHeapToAskFor() {
        assertThrows(IllegalArgumentException.class,
                () -> new TableScale.Options(List.of(1 << 22), TableScale.bothModes(), 0, 1, 64, 1));
        assertTrue(TableScale.heapNeeded(TableScale.Options.full()) > (1L << 30),
                "the full 22-bit table in embedded mode needs more than 1 GB by our bound");
        String message = new InsufficientHeapException("the table part", 3L << 30, 1L << 30).getMessage();
        assertTrue(message.contains("STARE_JAVA_OPTS=-Xmx3g"), message);
    }

    @Test
    void partsParseAndUnknownOnesAreNamed() {
        assertEquals(EnumSet.of(ScalePart.TABLE, ScalePart.RECOVERY), ScalePart.parse(List.of(" table", "RECOVERY")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScalePart.parse(List.of("tables")));
        assertTrue(e.getMessage().contains("tables"), e.getMessage());
    }
}
