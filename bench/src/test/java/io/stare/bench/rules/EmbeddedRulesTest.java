package io.stare.bench.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.bmv2.Bmv2Process;
import io.stare.p4.softswitch.P4RuntimeServer;
import io.stare.p4.softswitch.SoftSwitch;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p4.v1.Entity;
import p4.v1.MulticastGroupEntry;
import p4.v1.PacketReplicationEngineEntry;

/**
 * The P4Runtime half of the BMv2 measurement, run against the software switch's P4Runtime server
 * (which implements the same entities and error codes as BMv2's, see SwitchConformance): the
 * session arbitrates and pushes, the embedded rules go in, come out and are counted, and the
 * register program accepts the port-mask groups. BMv2 itself is not needed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedRulesTest {

    private static ActorSystem<Void> system;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "embedded-rules-test");
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    /** A software switch serving P4Runtime on loopback as device {@link Bmv2Process#DEVICE_ID}. */
    private static ServerBinding softSwitch() throws Exception {
        P4RuntimeServer server = new P4RuntimeServer(new SoftSwitch("bmv2-stand-in", 2), Bmv2Process.DEVICE_ID, system);
        return server.bind(system, "127.0.0.1", 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** What a test does with a session to a fresh software switch running {@code mode}'s program. */
    @FunctionalInterface
    private interface SessionTest {
        void run(Bmv2Session session) throws Exception;
    }

    private static void withSession(StareProgram.Mode mode, SessionTest test) throws Exception {
        ServerBinding binding = softSwitch();
        try (Bmv2Session session = Bmv2Session.open(system, binding.localAddress().getPort())) {
            session.push(StarePrograms.config(mode));
            test.run(session);
        } finally {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static Entity allGroups() {
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setMulticastGroupEntry(MulticastGroupEntry.newBuilder().setMulticastGroupId(0))).build();
    }

    @Test
    void embeddedRulesAreInstalledRemovedAndCounted() throws Exception {
        withSession(StareProgram.Mode.EMBEDDED, session -> {
            EmbeddedRules rules = EmbeddedRules.perState(0);
            // The warm-up's pattern: in and out again, leaving nothing behind.
            rules.install(session, 0, 32);
            rules.remove(session, 0, 32);
            rules.verify(session, 0);
            assertEquals(0, session.count(allGroups()));
            // Two steps, as the measurement makes them.
            rules.install(session, 0, 100);
            rules.install(session, 100, 250);
            rules.verify(session, 250);
            assertEquals(250, session.count(allGroups()), "a group of its own per state");
            IOException wrong = assertThrows(IOException.class, () -> rules.verify(session, 251));
            assertTrue(wrong.getMessage().contains("250"), wrong.getMessage());
            // A rule installed twice is refused, not silently counted twice.
            assertThrows(IOException.class, () -> rules.install(session, 249, 250));
        });
    }

    @Test
    void sharedGroupRulesAreEntriesOnlyAllNamingOneGroup() throws Exception {
        withSession(StareProgram.Mode.EMBEDDED, session -> {
            EmbeddedRules rules = EmbeddedRules.sharedGroup(0);
            rules.prepare(session);
            rules.install(session, 0, 32);
            rules.remove(session, 0, 32);
            rules.verify(session, 0);
            rules.install(session, 0, 200);
            rules.verify(session, 200);
            assertEquals(1, session.count(allGroups()), "every state shares the port's group");
        });
    }

    @Test
    void theRegisterProgramTakesThePortMaskGroups() throws Exception {
        withSession(StareProgram.Mode.REGISTER, session -> {
            session.insert(MulticastGroups.portMasks());
            assertEquals(255, session.count(allGroups()));
        });
    }
}
