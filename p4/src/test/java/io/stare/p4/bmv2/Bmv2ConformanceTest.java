package io.stare.p4.bmv2;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SwitchConformance} against BMv2's {@code simple_switch_grpc}: the P4Runtime checks and the
 * frame-by-frame comparison with the Java pipelines. Needs Linux, root, {@code ip}, {@code python3}
 * and {@code simple_switch_grpc} (on PATH or named by {@code STARE_BMV2}); skipped with a message
 * elsewhere. One network namespace serves the whole class; each test gets a fresh BMv2 in it.
 */
class Bmv2ConformanceTest extends SwitchConformance {

    private static NetworkNamespace namespace;

    @BeforeAll
    static void createNamespace() throws Exception {
        if (Host.missing().isEmpty()) {
            namespace = NetworkNamespace.create(PORTS);
        }
    }

    @AfterAll
    static void deleteNamespace() {
        if (namespace != null) {
            namespace.close();
            namespace = null;
        }
    }

    /** Each test is skipped, with the reason, where BMv2 cannot run (reported per test, unlike a class-level skip). */
    @Override
    SwitchTarget startTarget(ActorTestKit testKit) throws Exception {
        var missing = Host.missing();
        assumeTrue(missing.isEmpty(), missing::get);
        return Bmv2Target.start(namespace);
    }
}
