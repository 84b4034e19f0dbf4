package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.actors.middleware.Middleware;
import io.stare.p4.program.StareProgram;
import io.stare.p4.topology.Topologies;
import io.stare.p4.topology.Topology;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end scenarios on the paper's testbed (Fig. 7a): one switch {@code s1} with
 * servers h1, h2 and h3 running one, two and one VNF. The replica controller (the paper's H4) is
 * the fabric's in-JVM controller.
 */
class Fig7aEndToEndTest extends EndToEndScenarios {

    @Override
    Topology topology() {
        return Topologies.paperTestbed();
    }

    @Override
    String hostA() {
        return "h1";
    }

    @Override
    String hostB() {
        return "h2";
    }

    @Override
    String hostC() {
        return "h3";
    }

    @Override
    long seed() {
        return 7;
    }

    /**
     * The publishing middleware learns from the controller that no other server subscribes, so
     * the two VNFs of H2 exchange updates without a packet leaving H2.
     */
    @Test
    void noFrameLeavesTheHostWhenBothVnfsAreOnIt() throws Exception {
        start(StareProgram.Mode.REGISTER, "bc");
        Subscription atC = subscribe(c, b);
        Subscription atB = subscribe(b, c);
        long upBefore = fabric.link("h2").counters("h2").received();
        long sentBefore = fabric.stats("h2").transport().sent();

        publish(List.of(b, c), 0, 20);
        expectUpdates(atC, 0, 20);
        expectUpdates(atB, 0, 20);

        Middleware.Stats h2 = fabric.stats("h2");
        assertEquals(40, h2.localDeliveries());
        assertEquals(40, h2.keptLocal(), "updates kept off the network");
        assertEquals(sentBefore, h2.transport().sent(), "frames H2's middleware sent");
        assertEquals(upBefore, fabric.link("h2").counters("h2").received(), "frames that left H2 on its link");
    }
}
