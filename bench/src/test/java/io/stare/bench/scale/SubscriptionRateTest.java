package io.stare.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Subscriptions per second, in the pipeline and end to end, tiny: every one installed, rates positive. */
class SubscriptionRateTest {

    @Test
    void thePipelineInstallsEverySubscriptionInBothModes() {
        List<SubscriptionRate.Row> rows = SubscriptionRate.run(
                new SubscriptionRate.Options(5_000, 1_000, TableScale.bothModes()), new PrintWriter(new StringWriter()));
        assertEquals(2, rows.size());
        for (SubscriptionRate.Row row : rows) {
            assertEquals(5_000, row.installed(), row.toString());
            assertTrue(row.perSecond() > 0, row.toString());
            assertEquals(5_000, row.perSubscription().count());
        }
    }

    @Test
    @Timeout(180)
    void endToEndEverySubscriptionIsAckedAndRoutedInBothModes() {
        List<FabricSubscriptions.Row> rows = FabricSubscriptions.run(
                new FabricSubscriptions.Options(10, 2, TableScale.bothModes()), new PrintWriter(new StringWriter()));
        assertEquals(4, rows.size(), rows.toString());
        for (FabricSubscriptions.Row row : rows) {
            assertEquals("ok", row.status(), row.toString());
            assertEquals(10, row.acked(), row.toString());
            assertEquals(10, row.routed(), row.toString());
            assertTrue(row.perSecond() > 0, row.toString());
            assertTrue(row.ack().p50() > 0 && row.route().p50() > 0, row.toString());
        }
    }
}
