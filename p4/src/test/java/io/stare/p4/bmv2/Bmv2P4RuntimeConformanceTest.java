package io.stare.p4.bmv2;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link P4RuntimeConformance} against BMv2's {@code simple_switch_grpc} (PI's P4Runtime server), so
 * that the rules our switch follows are the ones a reference implementation follows. Needs what
 * {@link Bmv2ConformanceTest} needs; each test is skipped, with the reason, where BMv2 cannot run.
 */
class Bmv2P4RuntimeConformanceTest extends P4RuntimeConformance {

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
