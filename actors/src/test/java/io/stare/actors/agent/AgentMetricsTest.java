package io.stare.actors.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.arq.ArqCounters;
import io.stare.actors.observability.Exposition;
import io.stare.p4.program.StareProgram;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {

    @Test
    void rendersEveryViewAsLabelledSamples() {
        TreeMap<Integer, Long> subscriptions = new TreeMap<>(Map.of(1, 0b10L, 7, 0b110L));
        AgentView view = new AgentView("127.0.0.1:9559", StareProgram.Mode.REGISTER, true, true, true, 1, 257,
                subscriptions, AgentView.InstallTimes.NONE, new ArqCounters(2, 5, 3, 1), 4, Optional.empty(),
                2048, false, Optional.empty(), 6);
        Map<String, AgentView> views = new LinkedHashMap<>();
        views.put("s1", view);
        views.put("s\"2", view);
        String text = Exposition.text(AgentMetrics.snapshots(views));
        assertTrue(text.contains("# TYPE stare_agent_primary gauge\n"), text);
        assertTrue(text.contains("stare_agent_primary{switch=\"s1\"} 1.0\n"), text);
        assertTrue(text.contains("stare_agent_rules{switch=\"s1\"} 257.0\n"), text);
        assertTrue(text.contains("stare_agent_errors_total{switch=\"s1\"} 6.0\n"), text);
        assertTrue(text.contains("stare_agent_subscribed_states{switch=\"s1\"} 2.0\n"), text);
        assertTrue(text.contains("stare_agent_table_utilisation{switch=\"s1\"} 9.765625E-4\n"), text);
        assertTrue(text.contains("stare_agent_arq_retransmissions_total{switch=\"s1\"} 3.0\n"), text);
        assertTrue(text.contains("stare_agent_reconnects_total{switch=\"s\\\"2\"} 4.0\n"), text);
    }
}
