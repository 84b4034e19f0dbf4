package io.stare.p4.bmv2;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/**
 * {@link SwitchConformance} against the software switch, so that the checks BMv2 passes are held
 * against our own switch too. Runs everywhere.
 */
class SoftSwitchConformanceTest extends SwitchConformance {

    @Override
    SwitchTarget startTarget(ActorTestKit testKit) throws Exception {
        return new SoftSwitchTarget(testKit.system(), PORTS);
    }
}
