package io.stare.state.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.testkit.StareFabric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The small NF of docs/state-api.md: it is there verbatim, and it counts right through a scale-out and in. */
class PerFlowCounterTest {

    @Test
    void theDocsShowThisExampleVerbatim() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "state-api.md"));
        String code = Files.readString(Path.of("src", "test", "java", "io", "stare", "state", "example",
                "PerFlowCounter.java")).strip();
        assertTrue(docs.contains(code), "docs/state-api.md does not hold PerFlowCounter.java as it is");
    }

    private static Config instance(String number) {
        return ConfigFactory.parseString("stare.state { nf = counter, instance = \"" + number + "\", mode = async, "
                + "global { snapshot-period = 200ms, discovery-period = 200ms, peer-timeout = 2s } }")
                .withFallback(ConfigFactory.load());
    }

    @Test
    @Timeout(90)
    void countsStayRightWhenFlowsMoveAndAnInstanceLeaves() throws Exception {
        try (StareFabric fabric = StareFabric.builder().topology(StareFabric.singleSwitch("h1", "h2")).start()) {
            PerFlowCounter zero = PerFlowCounter.start(instance("0"), fabric.vnf("h1", "counter-0"));
            try {
                for (int i = 0; i < 10; i++) {
                    zero.onPacket("flow-a");
                }
                // Scale-out: instance 1 starts and flow-a moves to it.
                PerFlowCounter one = PerFlowCounter.start(instance("1"), fabric.vnf("h2", "counter-1"));
                for (int i = 0; i < 5; i++) {
                    one.onPacket("flow-a");
                }
                assertEquals(5L, one.localCount("flow-a").toCompletableFuture().get(10, TimeUnit.SECONDS));
                fabric.eventually(() -> assertEquals(15L, one.count("flow-a").toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)));
                // Scale-in: flow-a moves back, instance 1 leaves and instance 0 adopts its count.
                one.leave("0");
                fabric.eventually(() -> assertEquals(15L, zero.localCount("flow-a").toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)));
                assertEquals(15L, zero.count("flow-a").toCompletableFuture().get(10, TimeUnit.SECONDS));
            } finally {
                zero.close();
            }
        }
    }
}
