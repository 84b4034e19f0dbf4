package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.StareClient;
import io.stare.client.StateCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Python VNF started by the kit ({@link StareFabric#pythonVnf}) on one host, an in-JVM VNF on
 * another: updates flow both ways through the fabric. Skipped where {@code python3} is absent.
 */
@Timeout(90)
class PythonVnfTest {

    private static final Path FLOW_TOTALS = Path.of("src", "test", "python", "flow_totals.py");
    private static final List<String> FLOWS = List.of("a", "b", "a", "c", "a", "b");

    @RegisterExtension
    final StareFabricExtension fabric = StareFabricExtension.builder().build(); // s1 with h1, h2

    @Test
    void aPythonVnfCountsWhatAJavaVnfPublishesAndTheJavaVnfHearsTheTotals() throws Exception {
        VnfProcess python = fabric.pythonVnf("h2", FLOW_TOTALS, String.valueOf(FLOWS.size()));
        StareClient probe = fabric.vnf("h1", "packet-probe");
        int packets = fabric.await(probe.declare("packets"));
        python.awaitLine("READY");

        Map<String, Integer> totals = new ConcurrentHashMap<>();
        int flowTotals = fabric.await(probe.subscribe("flow-totals", StateCodec.utf8(),
                (state, update, value) -> {
                    String[] total = value.split("=");
                    totals.merge(total[0], Integer.parseInt(total[1]), Math::max);
                }));
        fabric.awaitRoute(packets, "h1", "h2");
        fabric.awaitRoute(flowTotals, "h2", "h1");
        for (String flow : FLOWS) {
            fabric.await(probe.publish("packets", flow, StateCodec.utf8()));
        }

        assertEquals(0, python.awaitExit(), "the Python VNF said: " + python.output());
        assertTrue(python.output().contains("DONE " + FLOWS.size()), "the Python VNF said: " + python.output());
        fabric.eventually(() -> assertEquals(Map.of("a", 3, "b", 2, "c", 1), totals));
    }

    @Test
    void aPythonVnfThatEndsWithoutTheAwaitedLineFailsTheWaitWithWhatItPrinted(@TempDir Path scripts) throws Exception {
        Path broken = Files.writeString(scripts.resolve("broken.py"),
                "import stare_client\nprint('gateway', stare_client.gateway_from_environment())\nraise SystemExit(3)\n");
        VnfProcess python = fabric.pythonVnf("h1", broken);

        AssertionError failed = assertThrows(AssertionError.class, () -> python.awaitLine("READY"));
        assertTrue(failed.getMessage().contains("exit 3"), failed.getMessage());
        int port = fabric.gateway("h1").getPort();
        assertTrue(failed.getMessage().contains("gateway ('127.0.0.1', " + port + ")"), failed.getMessage());
    }
}
