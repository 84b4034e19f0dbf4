package io.stare.deploy.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.stare.actors.controller.ControllerCluster;
import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ControllerStore;
import io.stare.deploy.Cli;
import io.stare.deploy.StareCommand;
import io.stare.deploy.cli.UserInputException;
import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.testing.TestTime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

/**
 * {@code stare middleware} and {@code stare vnf} through the real entry point, in one JVM: a
 * replica controller node (memory store), a software switch with two ports, two middleware
 * commands on threads (h1 on port 0, h2 on port 1) and VNF commands publishing on h1's gateway and
 * subscribing on h2's.
 */
class MiddlewareCommandTest {

    /** Where the middlewares started here keep their publish logs (not the module's data/). */
    @TempDir
    static Path publishLogs;

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern UP = Pattern.compile("middleware (h\\d) up: switch port 127\\.0\\.0\\.1:\\d+, gateway "
            + "127\\.0\\.0\\.1:(\\d+), controller cluster pekko://stare@127\\.0\\.0\\.1:\\d+ \\(members: \\d\\)");


    /** A command running on its own thread. */
    static final class Background {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        final Thread thread;

        Background(String name, String... args) {
            thread = new Thread(() -> {
                try {
                    exit.complete(StareCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true)));
                } catch (Throwable t) {
                    exit.completeExceptionally(t);
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits (bounded) for a line of the output matching {@code pattern}. */
        Matcher await(Pattern pattern) {
            // Until the line is there, or the command has ended without it.
            TestTime.eventually(WAIT, () -> assertTrue(pattern.matcher(out.toString()).find() || exit.isDone(),
                    () -> "no line matching " + pattern + " yet in:\n" + out + "\nerr:\n" + err));
            Matcher m = pattern.matcher(out.toString());
            if (!m.find()) {
                throw new AssertionError("no line matching " + pattern + " in:\n" + out + "\nerr:\n" + err);
            }
            return m;
        }

        int awaitExit() throws Exception {
            return exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60)
    void twoMiddlewaresCarryUpdatesFromAPublishingVnfToASubscribingOne() throws Exception {
        String namespace = "mw-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        ActorSystem<Void> controller = ActorSystem.create(Behaviors.empty(), "stare", ControllerStore.configure(
                ControllerCluster.nodeConfig("127.0.0.1", 0, List.of(), List.of("replica-controller"),
                        ConfigFactory.parseString("stare.persistence.store = memory\n"
                                + "stare.persistence.namespace = " + namespace + "\n"
                                + "pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 2s\n"))));
        ActorSystem<Void> switchSystem = ActorSystem.create(Behaviors.empty(), "softswitch");
        List<Background> middlewares = new ArrayList<>();
        SoftSwitchNode node = null;
        try {
            ControllerCluster.start(controller, ControllerSettings.fromConfig(controller.settings().config()))
                    .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Cluster.get(controller).manager().tell(Join.create(Cluster.get(controller).selfMember().address()));
            int controllerPort = (Integer) Cluster.get(controller).selfMember().address().port().get();
            node = SoftSwitchNode.start(switchSystem, new SoftSwitchNode.Settings("s1", 1,
                    List.of(PortBinding.loopback(0), PortBinding.loopback(1)), new InetSocketAddress("127.0.0.1", 0),
                    Optional.of(StareProgram.Mode.REGISTER), 0L));

            int[] gateways = new int[2];
            for (int h = 0; h < 2; h++) {
                InetSocketAddress port = node.portAddresses().get(h);
                Background mw = new Background("stare-middleware-h" + (h + 1), "middleware",
                        "--server-id", "h" + (h + 1), "--sender-id", Integer.toString(h + 1),
                        "--switch-port", "127.0.0.1:" + port.getPort(), "--seed", "127.0.0.1:" + controllerPort,
                        "--gateway", "127.0.0.1:0", "--stats-every", "200ms", "--publish-log-dir", publishLogs.toString());
                middlewares.add(mw);
            }
            for (int h = 0; h < 2; h++) {
                Matcher up = middlewares.get(h).await(UP);
                assertEquals("h" + (h + 1), up.group(1));
                gateways[h] = Integer.parseInt(up.group(2));
                assertTrue(gateways[h] > 0);
            }
            String g1 = "127.0.0.1:" + gateways[0];
            String g2 = "127.0.0.1:" + gateways[1];

            // The publisher declares the state (and publishes update 0) first, so there is something to subscribe to.
            Cli first = Cli.run("vnf", "--gateway", g1, "--name", "pub", "publish", "--state", "positions");
            assertEquals(0, first.exitCode(), first.out() + first.err());
            assertTrue(first.out().contains("declared positions (state "), first.out());
            assertTrue(first.out().contains("published positions update 0 (1 segment)\n"), first.out());

            Background subscriber = new Background("stare-vnf-sub", "vnf", "--gateway", g2, "--name", "sub",
                    "subscribe", "--state", "positions", "--count", "3", "--duration", "30s");
            subscriber.await(Pattern.compile("subscribed to positions \\(state \\d+\\) as VNF sub at middleware h2"));

            Cli publish = Cli.run("vnf", "--gateway", g1, "--name", "pub", "publish", "--state", "positions",
                    "--count", "3", "--every", "100ms");
            assertEquals(0, publish.exitCode(), publish.out() + publish.err());
            for (int update = 1; update <= 3; update++) {
                assertTrue(publish.out().contains("published positions update " + update + " (1 segment)\n"),
                        publish.out());
            }
            assertEquals(0, subscriber.awaitExit(), subscriber.out + "" + subscriber.err);
            String got = subscriber.out.toString();
            Matcher deliveries = Pattern.compile("positions update (\\d+) from VNF (\\d+): positions from pub at "
                    + "\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\n").matcher(got);
            List<Integer> updates = new ArrayList<>();
            while (deliveries.find()) {
                updates.add(Integer.parseInt(deliveries.group(1)));
            }
            assertEquals(List.of(1, 2, 3), updates, got);
            assertEquals("", subscriber.err.toString());

            // Refusals are one line each.
            Cli notPublisher = Cli.run("vnf", "--gateway", g2, "--name", "intruder", "publish", "--state", "positions");
            assertEquals(1, notPublisher.exitCode(), notPublisher.out() + notPublisher.err());
            assertTrue(notPublisher.err().startsWith("stare: declare positions refused: NOT_PUBLISHER: state "
                    + "'positions' is published by VNF "), notPublisher.err());
            assertEquals(1, notPublisher.err().lines().count(), notPublisher.err());
            Cli unknown = Cli.run("vnf", "--gateway", g2, "--name", "sub", "subscribe", "--state", "nobody-declared");
            assertEquals(1, unknown.exitCode(), unknown.out() + unknown.err());
            assertEquals("stare: subscribe to nobody-declared refused: UNKNOWN_STATE: no VNF has declared it yet "
                    + "(--wait waits for one)\n", unknown.err());

            // --wait: a subscriber started before the publisher declared the state.
            Background waiting = new Background("stare-vnf-wait", "vnf", "--gateway", g2, "--name", "sub-2",
                    "subscribe", "--state", "alarms", "--wait", "--count", "1", "--duration", "20s");
            waiting.await(Pattern.compile("no VNF has declared alarms yet; waiting\n"));
            Cli alarms = Cli.run("vnf", "--gateway", g1, "--name", "pub", "publish", "--state", "alarms", "--count", "8",
                    "--every", "400ms", "--value", "\u0001\u0002");
            assertEquals(0, alarms.exitCode(), alarms.out() + alarms.err());
            assertEquals(0, waiting.awaitExit(), waiting.out + "" + waiting.err);
            assertTrue(Pattern.compile("subscribed to alarms \\(state \\d+\\) as VNF sub-2 at middleware h2; waiting for "
                    + "updates\nalarms update \\d from VNF \\d+: 0x0102\n").matcher(waiting.out.toString()).find(),
                    waiting.out.toString());

            // The middlewares' counters lines.
            middlewares.get(0).await(Pattern.compile("h1: \\d+ VNF connected; published 12;"));
            middlewares.get(1).await(Pattern.compile("h2: \\d+ VNF connected; published 0; delivered 3 from the "
                    + "network"));

            // Made to leave by another member, each command says so and returns.
            for (Member m : Cluster.get(controller).state().getMembers()) {
                if (m.hasRole(MiddlewareCommand.ROLE) && m.status() == MemberStatus.up()) {
                    Cluster.get(controller).manager().tell(Leave.create(m.address()));
                }
            }
            for (Background mw : middlewares) {
                assertEquals(0, mw.awaitExit(), mw.out + "" + mw.err);
                assertTrue(mw.out.toString().endsWith("left the cluster; node stopped\n"), mw.out.toString());
                assertEquals("", mw.err.toString());
            }
        } finally {
            for (Background mw : middlewares) {
                if (!mw.exit.isDone()) {
                    mw.thread.interrupt();
                }
            }
            if (node != null) {
                node.stop().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            switchSystem.terminate();
            controller.terminate();
            switchSystem.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            controller.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (Background mw : middlewares) {
                mw.thread.join(WAIT.toMillis());
                assertFalse(mw.thread.isAlive(), "the middleware command returned: " + mw.out);
            }
        }
    }

    @Test
    void aDaemonSetsSenderIdComesFromTheHostsAddress() {
        assertEquals(7, MiddlewareCommand.senderId("7", "127.0.0.1"));
        assertEquals(5, MiddlewareCommand.senderId("host", "10.0.0.5"));
        assertEquals(0x205, MiddlewareCommand.senderId("host", "10.1.2.5"), "low 10 bits: 2 << 8 | 5");
        assertEquals(0x305, MiddlewareCommand.senderId("HOST", "10.1.7.5"), "the third octet's low 2 bits only");
        assertTrue(assertThrows(UserInputException.class, () -> MiddlewareCommand.senderId("host", "::1"))
                .getMessage().contains("needs an IPv4 --host"));
        assertTrue(assertThrows(UserInputException.class, () -> MiddlewareCommand.senderId("1024", "127.0.0.1"))
                .getMessage().contains("out of range 0..1023"));
        assertTrue(assertThrows(UserInputException.class, () -> MiddlewareCommand.senderId("node", "127.0.0.1"))
                .getMessage().contains("must be 0..1023 or host, not 'node'"));
    }

    @Test
    @Timeout(30)
    void badFlagsAreOneLineErrors() {
        Cli noSwitchPort = Cli.run("middleware", "--server-id", "h1", "--seed", "127.0.0.1:25520");
        assertEquals(1, noSwitchPort.exitCode());
        assertTrue(noSwitchPort.err().startsWith("stare: --switch-port is required with the tunnel transport"),
                noSwitchPort.err());
        Cli noSeed = Cli.run("middleware", "--server-id", "h1", "--switch-port", "127.0.0.1:5000");
        assertEquals(1, noSeed.exitCode());
        assertTrue(noSeed.err().startsWith("stare: --seed is required"), noSeed.err());
        Cli badSeed = Cli.run("middleware", "--server-id", "h1", "--switch-port", "127.0.0.1:5000", "--seed", "nowhere");
        assertEquals(1, badSeed.exitCode());
        assertEquals("stare: --seed 'nowhere' is not HOST:PORT\n", badSeed.err());
        Cli badTransport = Cli.run("middleware", "--server-id", "h1", "--switch-port", "127.0.0.1:5000", "--seed",
                "127.0.0.1:25520", "--transport", "carrier-pigeon");
        assertEquals("stare: --transport must be tunnel or multicast, not 'carrier-pigeon'\n", badTransport.err());
        Cli badSwitch = Cli.run("middleware", "--server-id", "h1", "--switch-port", "127.0.0.1", "--seed",
                "127.0.0.1:25520");
        assertEquals("stare: --switch-port '127.0.0.1' is not HOST:PORT\n", badSwitch.err());
        Cli badId = Cli.run("middleware", "--server-id", "h1", "--switch-port", "127.0.0.1:5000", "--seed",
                "127.0.0.1:25520", "--sender-id", "4000");
        assertEquals(1, badId.exitCode());
        assertEquals("stare: --sender-id 4000 is out of range 0..1023\n", badId.err());
        Cli badInterface = Cli.run("middleware", "--server-id", "h1", "--transport", "multicast", "--interface",
                "no-such-if0", "--seed", "127.0.0.1:25520");
        assertEquals(1, badInterface.exitCode());
        assertEquals("stare: --interface 'no-such-if0' is neither the name nor an address of a network interface of "
                + "this host\n", badInterface.err());
    }

    @Test
    @Timeout(40)
    void aTakenGatewayPortAndAnUnreachableSeedAreOneLineErrors() throws Exception {
        int freePort;
        try (ServerSocket free = new ServerSocket(0)) {
            freePort = free.getLocalPort();
        }
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            Cli inUse = Cli.run("middleware", "--server-id", "h1", "--switch-port", "127.0.0.1:5000", "--seed",
                    "127.0.0.1:" + freePort, "--gateway", "127.0.0.1:" + taken.getLocalPort());
            assertEquals(1, inUse.exitCode(), inUse.out() + inUse.err());
            assertEquals("stare: cannot listen for VNFs on 127.0.0.1:" + taken.getLocalPort() + ": the port is in use "
                    + "(another middleware on this machine? choose another with --gateway HOST:PORT, 0 for any)\n",
                    inUse.err());
        }
        Cli noAnswer = Cli.run("middleware", "--server-id", "h1", "--switch-port", "127.0.0.1:5000", "--seed",
                "127.0.0.1:" + freePort, "--gateway", "127.0.0.1:0", "--join-timeout", "2s", "--publish-log-dir",
                publishLogs.toString());
        assertEquals(1, noAnswer.exitCode(), noAnswer.out() + noAnswer.err());
        assertTrue(noAnswer.err().startsWith("stare: no seed node let this node in within 2 s (pekko://stare@127.0.0.1:"
                + freePort + ")"), noAnswer.err());
        assertEquals(1, noAnswer.err().lines().count(), noAnswer.err());
    }
}
