package io.stare.deploy.controller;

import io.stare.deploy.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.stare.actors.controller.ControllerCluster;
import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ReplicaController;
import io.stare.deploy.StareCommand;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.ControlRequest;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.VnfRegistered;
import io.stare.protocol.segment.Segment;
import io.stare.testing.TestTime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code stare controller} and {@code stare controller status} through the real entry point, on
 * loopback: a controller node run by the command, a middleware node that registers a VNF, declares
 * two states and appends updates through its router, and the status client joining both.
 */
class ControllerCommandTest {

    private static final Pattern UP = Pattern.compile(
            "replica controller node (pekko://stare@127\\.0\\.0\\.1:(\\d+)) up; store memory, namespace (\\S+); members: 1");
    private static final Duration WAIT = Duration.ofSeconds(20);


    @Test
    @Timeout(90)
    void aControllerNodeRunsAndStatusShowsMembersShardsIdsAndBacklogs() throws Exception {
        String namespace = "cli-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        StringWriter controllerOut = new StringWriter();
        StringWriter controllerErr = new StringWriter();
        CompletableFuture<Integer> controller = new CompletableFuture<>();
        int metricsPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            metricsPort = free.getLocalPort();
        }
        Thread runner = new Thread(() -> controller.complete(StareCommand.run(new String[] {"controller",
                "--port", "0", "--store", "memory", "--namespace", namespace, "--metrics", "127.0.0.1:" + metricsPort},
                new PrintWriter(controllerOut, true), new PrintWriter(controllerErr, true))), "stare-controller");
        runner.setDaemon(true);
        runner.start();
        ActorSystem<Void> middleware = null;
        try {
            Matcher up = awaitLine(controllerOut, UP, controller);
            String address = up.group(1);
            int port = Integer.parseInt(up.group(2));
            assertEquals(namespace, up.group(3));

            // A middleware's node joins and uses the controller through its own router.
            middleware = ActorSystem.create(Behaviors.empty(), "stare", ControllerCluster.nodeConfig("127.0.0.1", 0,
                    List.of(address), List.of("middleware"), ConfigFactory.empty()));
            awaitUp(middleware);
            ActorRef<ReplicaController.Command> router = ControllerCluster.start(middleware,
                    ControllerSettings.fromConfig(middleware.settings().config())).toCompletableFuture()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            int vnf = assertInstanceOf(VnfRegistered.class,
                    control(middleware, router, new RegisterVnf("tracker", "h1"))).vnfId();
            int positions = assertInstanceOf(StateDeclared.class,
                    control(middleware, router, new DeclareState(vnf, "positions"))).stateId();
            int alarms = assertInstanceOf(StateDeclared.class,
                    control(middleware, router, new DeclareState(vnf, "alarms"))).stateId();
            for (long update = 0; update < 3; update++) {
                append(middleware, router, new Segment(positions, vnf, update, 1, 0, new byte[100]));
            }
            append(middleware, router, new Segment(alarms, vnf, 0, 1, 0, new byte[7]));
            awaitLine(controllerOut, Pattern.compile("member up: pekko://stare@127\\.0\\.0\\.1:\\d+ \\(middleware\\); "
                    + "members: 2"), controller);

            long started = System.nanoTime();
            Cli status = Cli.run("controller", "status", "--seed", "127.0.0.1:" + port, "--timeout", "10s");
            long took = (System.nanoTime() - started) / 1_000_000;
            assertEquals(0, status.exitCode(), status.out() + status.err());
            String out = status.out();
            assertTrue(took < 15_000, "status took " + took + " ms");
            assertTrue(out.startsWith("members (3)\n"), out);
            assertTrue(hasLine(out, address + " +Up +yes +replica-controller +oldest controller: runs the ID registry"),
                    out);
            assertTrue(hasLine(out, "pekko://stare@127\\.0\\.0\\.1:\\d+ +Up +yes +middleware"), out);
            assertTrue(hasLine(out, "pekko://stare@127\\.0\\.0\\.1:\\d+ +Up +yes +stare-cli +this status client"), out);
            assertTrue(hasLine(out, address + " +2 +2"), "both backlogs in shards on the controller node: " + out);
            assertTrue(hasLine(out, "total +2 +2"), out);
            assertTrue(out.contains("ID registry: 1 VNF IDs, 2 state IDs assigned"), out);
            assertTrue(out.contains("backlogs of states 0..1 of 2, largest first"), out);
            // state publisher updates segments bytes horizon latest subscribers resync evicted
            assertTrue(hasLine(out, " *" + positions + " +" + vnf + " +3 +3 +300 +0 +2 +0 +0 +0"), out);
            assertTrue(hasLine(out, " *" + alarms + " +" + vnf + " +1 +1 +7 +0 +0 +0 +0 +0"), out);
            assertTrue(out.indexOf(" 300 ") < out.indexOf(" 7 "), "largest first: " + out);
            assertFalse(out.contains("partial"), out);
            assertEquals("", status.err());

            // The same figures as Prometheus metrics.
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("stare_ids_states{cluster=\"stare\"} 2.0\n"), metrics);
            assertTrue(metrics.contains("stare_backlog_bytes{state=\"" + positions + "\"} 300.0\n"), metrics);
            assertTrue(metrics.contains("stare_controller_shards{node=\"" + address + "\"} 2.0\n"), metrics);
            awaitLine(controllerOut, Pattern.compile("member removed: pekko://stare@127\\.0\\.0\\.1:\\d+ \\(stare-cli\\) "
                    + "\\(was Exiting\\); members: 2"), controller);

            // --limit 1 asks state 0 only.
            Cli limited = Cli.run("controller", "status", "--seed", "127.0.0.1:" + port, "--limit", "1");
            assertEquals(0, limited.exitCode(), limited.out() + limited.err());
            assertTrue(limited.out().contains("backlogs of states 0..0 of 2, largest first (raise --limit for more)"),
                    limited.out());

            // Another member makes the controller node leave: the command says so and returns.
            Address controllerAddress = Cluster.get(middleware).state().getMembers().iterator().next().address();
            for (var member : Cluster.get(middleware).state().getMembers()) {
                if (member.hasRole("replica-controller")) {
                    controllerAddress = member.address();
                }
            }
            Cluster.get(middleware).manager().tell(Leave.create(controllerAddress));
            assertEquals(0, controller.get(WAIT.toSeconds(), TimeUnit.SECONDS), controllerOut + "" + controllerErr);
            assertTrue(controllerOut.toString().contains("this node is leaving the cluster\n"), controllerOut.toString());
            assertTrue(controllerOut.toString().endsWith("left the cluster; node stopped\n"), controllerOut.toString());
            assertEquals("", controllerErr.toString());
        } finally {
            if (middleware != null) {
                middleware.terminate();
                middleware.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            runner.join(WAIT.toMillis());
            assertFalse(runner.isAlive(), "the controller command returned: " + controllerOut);
        }
    }

    @Test
    @Timeout(60)
    void statusWithoutAClusterSaysSoInOneLine() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        long started = System.nanoTime();
        assertOneLine(Cli.run("controller", "status", "--seed", "127.0.0.1:" + free, "--timeout", "2s"),
                "no seed node answered within 2 s (pekko://stare@127.0.0.1:" + free + ")");
        long took = (System.nanoTime() - started) / 1_000_000;
        assertTrue(took < 10_000, "gave up after " + took + " ms");
    }

    @Test
    @Timeout(60)
    void aPortInUseIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertOneLine(Cli.run("controller", "--port", Integer.toString(port), "--store", "memory", "--duration", "5s"),
                    "cannot listen on 127.0.0.1:" + port + ": the port is in use");
        }
    }

    @Test
    void badFlagsGiveOneClearLine() {
        assertOneLine(Cli.run("controller", "--store", "bogus"), "--store must be memory, h2-file or postgres, not 'bogus'");
        assertOneLine(Cli.run("controller", "--seed", "localhost"), "--seed 'localhost' is not HOST:PORT");
        assertOneLine(Cli.run("controller", "--seed", "127.0.0.1:0"), "--seed '127.0.0.1:0' needs a port, not 0");
        assertOneLine(Cli.run("controller", "--seed", "pekko://other@127.0.0.1:25520"), "names actor system 'other'");
        assertOneLine(Cli.run("controller", "--port", "70000"), "--port 70000 is out of range 0..65535");
        assertOneLine(Cli.run("controller", "--duration", "soon"), "--duration 'soon' is not a duration");
        assertOneLine(Cli.run("controller", "--namespace", " "), "--namespace must not be empty");
        assertOneLine(Cli.run("controller", "--store", "postgres", "--postgres-schema", "Bad-Name"),
                "stare.persistence.postgres.schema must be a lower-case SQL name");
        assertOneLine(Cli.run("controller", "status", "--seed", "nowhere"), "--seed 'nowhere' is not HOST:PORT");
        assertOneLine(Cli.run("controller", "status", "--seed", "127.0.0.1:99999"), "is out of range 0..65535");
        assertOneLine(Cli.run("controller", "status", "--limit", "-1"), "--limit must be 0 or more, not -1");
        assertOneLine(Cli.run("controller", "status", "--timeout", "2x"), "--timeout '2x' is not a duration");
        assertOneLine(Cli.run("controller", "status", "--timeout", "0s"), "--timeout must be longer than 0");
        Cli unknown = Cli.run("controller", "--bogus");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("Unknown option: '--bogus'"), unknown.err());
    }

    @Test
    void helpDescribesBothCommands() {
        Cli root = Cli.run("--help");
        assertTrue(root.out().contains("controller"), root.out());
        Cli help = Cli.run("controller", "--help");
        assertEquals(0, help.exitCode());
        for (String option : List.of("--host", "--port", "--seed", "--store", "--h2-path", "--postgres-url",
                "--postgres-user", "--postgres-schema", "--namespace", "--duration", "status", "h2-file",
                "STARE_POSTGRES_PASSWORD")) {
            assertTrue(help.out().contains(option), option + " in " + help.out());
        }
        Cli status = Cli.run("controller", "status", "--help");
        assertEquals(0, status.exitCode());
        for (String option : List.of("--seed", "--host", "--limit", "--timeout", "stare-cli", "default: 20",
                "default: 10s", "default: 127.0.0.1:25520")) {
            assertTrue(status.out().contains(option), option + " in " + status.out());
        }
    }

    private static ControlReply control(ActorSystem<?> node, ActorRef<ReplicaController.Command> router,
                                        ControlRequest request) throws Exception {
        return AskPattern.<ReplicaController.Command, ControlReply>ask(router,
                replyTo -> new ReplicaController.Control(request, replyTo), WAIT, node.scheduler())
                .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Appends one single-segment update and waits for the backlog's confirmation. */
    private static void append(ActorSystem<?> node, ActorRef<ReplicaController.Command> router, Segment segment)
            throws Exception {
        ReplicaController.Appended appended = AskPattern.<ReplicaController.Command, ReplicaController.Appended>ask(
                router, replyTo -> new ReplicaController.Append(List.of(segment), replyTo), WAIT, node.scheduler())
                .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(segment.update(), appended.first());
        assertEquals(segment.update(), appended.last());
    }

    private static void awaitUp(ActorSystem<?> node) {
        TestTime.eventually(WAIT, () -> assertEquals(MemberStatus.up(), Cluster.get(node).selfMember().status()));
    }

    /** Waits (bounded) for a line of the running command's output matching {@code pattern}. */
    private static Matcher awaitLine(StringWriter out, Pattern pattern, CompletableFuture<Integer> running) {
        // Until the line is there, or the command has ended without it.
        TestTime.eventually(WAIT, () -> assertTrue(matchingLine(out, pattern) != null || running.isDone(),
                () -> "no line matching " + pattern + " yet in:\n" + out));
        Matcher m = matchingLine(out, pattern);
        if (m == null) {
            throw new AssertionError("no line matching " + pattern + " in:\n" + out);
        }
        return m;
    }

    private static Matcher matchingLine(StringWriter out, Pattern pattern) {
        for (String line : out.toString().split("\n")) {
            Matcher m = pattern.matcher(line);
            if (m.matches()) {
                return m;
            }
        }
        return null;
    }

    private static boolean hasLine(String out, String regex) {
        Pattern pattern = Pattern.compile(regex);
        return out.lines().anyMatch(line -> pattern.matcher(line).matches());
    }

    private static void assertOneLine(Cli run, String mention) {
        assertEquals(1, run.exitCode(), run.out() + run.err());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains(mention), err);
    }
}
