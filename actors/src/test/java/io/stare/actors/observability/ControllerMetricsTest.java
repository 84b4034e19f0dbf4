package io.stare.actors.observability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.controller.ControllerStatus;
import io.stare.actors.controller.IdRegistry;
import io.stare.actors.controller.StateBacklog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ControllerMetricsTest {

    @Test
    void aStatusSnapshotBecomesLabelledSamples() {
        ControllerStatus.Report report = new ControllerStatus.Report("pekko://stare@127.0.0.1:1",
                List.of(new ControllerStatus.MemberInfo("pekko://stare@127.0.0.1:1", List.of("replica-controller"), "Up",
                                true, true, true, true),
                        new ControllerStatus.MemberInfo("pekko://stare@127.0.0.1:2", List.of("middleware"), "Up",
                                false, false, false, false)),
                List.of(new ControllerStatus.NodeShards("pekko://stare@127.0.0.1:1", Map.of("3", 2, "9", 1), Set.of(),
                        Optional.empty())),
                Optional.of(new IdRegistry.Status(4, 7)), Optional.empty(),
                List.of(new StateBacklog.Status(5, 1, 3, 6, 1400, 10, 12, 2, 1, 0)), 7, List.of());
        String text = Exposition.text(ControllerMetrics.snapshots(report));
        assertTrue(text.contains("stare_controller_members{cluster=\"stare\"} 2.0\n"), text);
        assertTrue(text.contains("stare_controller_members_unreachable{cluster=\"stare\"} 1.0\n"), text);
        assertTrue(text.contains("stare_ids_states{cluster=\"stare\"} 7.0\n"), text);
        assertTrue(text.contains("stare_controller_shards{node=\"pekko://stare@127.0.0.1:1\"} 2.0\n"), text);
        assertTrue(text.contains("stare_controller_backlogs{node=\"pekko://stare@127.0.0.1:1\"} 3.0\n"), text);
        assertTrue(text.contains("stare_backlog_bytes{state=\"5\"} 1400.0\n"), text);
        assertTrue(text.contains("# TYPE stare_backlog_evicted_segments_total counter"), text);
        assertTrue(text.contains("stare_backlog_evicted_segments_total{state=\"5\"} 2.0\n"), text);
    }
}
