package example.flowcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.testkit.StareFabric;
import io.stare.testkit.StareFabricExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(120)
class FlowCounterTest {

    @RegisterExtension
    final StareFabricExtension fabric = StareFabricExtension.builder()
            .topology(StareFabric.singleSwitch("h1", "h2", "h3")).seed(7).build();

    @Test
    void theMonitorAddsUpEveryCountersLatestCountsDespiteLoss() throws Exception {
        FlowCounter edge1 = fabric.await(FlowCounter.start(fabric.vnf("h1", "counter-1"), "counter-1"));
        FlowCounter edge2 = fabric.await(FlowCounter.start(fabric.vnf("h2", "counter-2"), "counter-2"));
        FlowMonitor monitor = new FlowMonitor(fabric.vnf("h3", "monitor"));
        fabric.await(monitor.watch("counter-1"));
        fabric.await(monitor.watch("counter-2"));
        fabric.link("h3").loss(0.2); // what the monitor's link loses comes back from the backlog

        for (int i = 0; i < 50; i++) {
            edge1.packet("10.0.0.1:80");
            edge2.packet("10.0.0.1:80");
            edge2.packet("10.0.0.2:443");
            fabric.await(edge1.share());
            fabric.await(edge2.share());
        }

        fabric.eventually(() -> {
            assertEquals(100, monitor.total("10.0.0.1:80"));
            assertEquals(50, monitor.total("10.0.0.2:443"));
        });
    }
}
