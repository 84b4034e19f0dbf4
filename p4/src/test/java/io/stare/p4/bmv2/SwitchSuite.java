package io.stare.p4.bmv2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.grpc.Status;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import p4.v1.ForwardingPipelineConfig;

/**
 * What every suite run against a {@link SwitchTarget} shares: one actor system per class, a fresh
 * switch and a {@link P4RuntimeController} per test. A suite adds settings through {@link #config()};
 * a subclass says which switch with {@link #startTarget}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SwitchSuite {

    /** The election ID {@link #pushProgram} becomes primary with. */
    static final long ELECTION_ID = 10;

    ActorTestKit testKit;
    SwitchTarget target;
    P4RuntimeController controller;
    /** The stream {@link #pushProgram} opened as primary. */
    P4RuntimeController.Stream primary;

    /** Starts a fresh switch (no program loaded) for one test. */
    abstract SwitchTarget startTarget(ActorTestKit testKit) throws Exception;

    /** The suite's settings over the defaults (HTTP/2 is always on: P4Runtime is gRPC). */
    Config config() {
        return ConfigFactory.empty();
    }

    @BeforeAll
    void startActorSystem() {
        testKit = ActorTestKit.create(config()
                .withFallback(ConfigFactory.parseString("pekko.http.server.preview.enable-http2 = on"))
                .withFallback(ConfigFactory.load()));
    }

    @AfterAll
    void stopActorSystem() {
        if (testKit != null) {
            testKit.shutdownTestKit();
            testKit = null;
        }
    }

    @BeforeEach
    void startSwitch() throws Exception {
        target = startTarget(testKit);
        controller = new P4RuntimeController(testKit.system(), target.p4RuntimePort());
    }

    /** Becomes primary with {@link #ELECTION_ID} and pushes a program with VERIFY_AND_COMMIT (P4Info + BMv2 JSON). */
    StareProgram pushProgram(StareProgram.Mode mode) throws Exception {
        primary = controller.connect(ELECTION_ID);
        assertEquals(Status.Code.OK.value(), primary.nextArbitration().getStatus().getCode());
        ForwardingPipelineConfig config = StarePrograms.config(mode);
        controller.push(ELECTION_ID, config);
        return StareProgram.recognise(config.getP4Info());
    }

    @AfterEach
    void stopSwitch() throws Exception {
        try {
            if (controller != null) {
                controller.close();
            }
        } finally {
            if (target != null) {
                target.close();
            }
        }
    }
}
