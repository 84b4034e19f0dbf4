package io.stare.p4.bmv2;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/** {@link P4RuntimeConformance} against the software switch's P4Runtime server. Runs everywhere. */
class SoftSwitchP4RuntimeConformanceTest extends P4RuntimeConformance {

    @Override
    SwitchTarget startTarget(ActorTestKit testKit) throws Exception {
        return new SoftSwitchTarget(testKit.system(), PORTS);
    }
}
