package io.stare.p4.bmv2;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SwitchConformance} against BMv2's {@code simple_switch_grpc}: the P4Runtime checks and the
 * frame-by-frame comparison with the Java pipelines. Needs Linux, root, {@code ip}, {@code python3}
 * and {@code simple_switch_grpc} (on PATH or named by {@code STARE_BMV2}); skipped with the reason
 * elsewhere. One network namespace serves the whole class; each test gets a fresh BMv2 in it.
 */
class Bmv2ConformanceTest extends SwitchConformance {

    private Bmv2Lab lab;

    @BeforeAll
    void openLab() throws Exception {
        lab = new Bmv2Lab(PORTS);
    }

    @AfterAll
    void closeLab() {
        lab.close();
    }

    @Override
    SwitchTarget startTarget(ActorTestKit testKit) throws Exception {
        return lab.start();
    }
}
