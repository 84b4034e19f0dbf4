package io.stare.deploy.agent;

import com.typesafe.config.Config;
import io.stare.actors.agent.AgentMetrics;
import io.stare.actors.agent.AgentSettings;
import io.stare.actors.agent.AgentView;
import io.stare.actors.agent.SwitchAgent;
import com.typesafe.config.ConfigFactory;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import io.stare.deploy.observability.OperatorEndpoint;
import io.stare.p4.program.StareProgram;
import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topology;
import io.stare.protocol.tls.TlsDirectory;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare agent}: runs the switch agent of one switch, or of every switch of a topology, and
 * prints each agent's view as it changes.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the switch agent: the control plane of a switch over P4Runtime (BMv2, Tofino or "
                + "`stare softswitch`). As primary it pushes the pipeline, programs the distribution tree, runs "
                + "the embedded controller and the switch-to-switch ARQ, and reconciles after a switch restart.",
                "With --topology and no --name, one agent per switch: switch i at the --switch port + i, device "
                        + "ID i + 1, matching `stare softswitch --topology`."},
        subcommands = {ReconfigureCommand.class})
public final class AgentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--switch", defaultValue = "127.0.0.1:9559",
            description = "the switch's P4Runtime address HOST:PORT (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--device-id", defaultValue = "1", description = "P4Runtime device ID (default: ${DEFAULT-VALUE})")
    long deviceId;

    @Option(names = "--election-id", defaultValue = "1",
            description = "this agent's election ID; the highest connected one is primary (default: ${DEFAULT-VALUE})")
    BigInteger electionId;

    @Option(names = "--mode", defaultValue = "register",
            description = "register or embedded (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--topology", description = "topology file: gives the switch its tree ports")
    Path topology;

    @Option(names = "--name", description = "with --topology: the switch this agent controls (default: all)")
    String name;

    @Option(names = "--duration", description = "stop after this long, e.g. 30s (default: until Ctrl-C)")
    String duration;

    @Option(names = "--metrics",
            description = "serve the agents' views as Prometheus metrics at http://HOST:PORT/metrics, with /ready and /alive "
                    + "(Pekko Management; ready once every switch is set up; e.g. 127.0.0.1:9464)")
    String metrics;

    @Option(names = "--tls-dir", paramLabel = "DIR",
            description = "P4Runtime over TLS 1.3: a directory with this agent's tls.key and tls.crt and the "
                    + "switches' ca.crt (PEM); each switch's certificate must name the address dialled (default: "
                    + "$STARE_AGENT_TLS_DIR, else plain text)")
    Path tlsDirectory;

    @Override
    public Integer call() throws Exception {
        StareProgram.Mode programMode = switch (mode.toLowerCase(Locale.ROOT)) {
            case "register" -> StareProgram.Mode.REGISTER;
            case "embedded" -> StareProgram.Mode.EMBEDDED;
            default -> throw new UserInputException("--mode must be register or embedded, not '" + mode + "'");
        };
        InetSocketAddress address = CliParsing.switchAddress(target);
        CliParsing.electionId(electionId);
        Optional<Duration> runFor = duration == null ? Optional.empty()
                : Optional.of(CliParsing.duration("--duration", duration));
        Config config = com.typesafe.config.ConfigFactory.load();
        if (tlsDirectory != null) {
            config = com.typesafe.config.ConfigFactory.parseMap(Map.of("stare.agent.tls-directory",
                    tlsDirectory.toAbsolutePath().toString())).withFallback(config);
        }
        checkTls(config.getString("stare.agent.tls-directory").trim());
        Map<String, AgentSettings> agents = plan(programMode, address, config);
        Optional<InetSocketAddress> metricsAt = metrics == null ? Optional.empty()
                : Optional.of(CliParsing.address("--metrics", metrics));
        if (metricsAt.isPresent()) {
            config = OperatorEndpoint.at(metricsAt.get(), false).withFallback(config);
        }

        PrintWriter out = spec.commandLine().getOut();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "stare-agent", config);
        try {
            Map<String, ActorRef<SwitchAgent.Command>> refs = new LinkedHashMap<>();
            agents.forEach((sw, settings) -> {
                refs.put(sw, system.systemActorOf(SwitchAgent.create(settings), "agent-" + sw,
                        org.apache.pekko.actor.typed.Props.empty()));
                out.println("agent for " + sw + " -> " + settings.target() + " (device " + settings.deviceId()
                        + ", " + settings.mode().name().toLowerCase(Locale.ROOT) + ", tree ports "
                        + Long.toBinaryString(settings.treePorts())
                        + (settings.tlsDirectory().isEmpty() ? "" : ", P4Runtime over TLS") + ")");
            });
            java.util.concurrent.atomic.AtomicBoolean allReady = new java.util.concurrent.atomic.AtomicBoolean();
            if (metricsAt.isPresent()) {
                InetSocketAddress endpoint = OperatorEndpoint.start(system,
                        () -> views(system, refs).thenApply(AgentMetrics::snapshots), allReady::get,
                        Duration.ofSeconds(10));
                out.println("metrics at " + OperatorEndpoint.describe(endpoint));
            }
            out.println(runFor.map(d -> "running for " + d.toSeconds() + " s").orElse("running; Ctrl-C to stop"));
            out.flush();
            long deadline = runFor.map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
            Map<String, String> lastLine = new LinkedHashMap<>();
            while (System.nanoTime() < deadline && !system.getWhenTerminated().toCompletableFuture().isDone()) {
                boolean ready = true;
                for (Map.Entry<String, ActorRef<SwitchAgent.Command>> agent : refs.entrySet()) {
                    AgentView view = ask(system, agent.getValue());
                    ready &= view.ready();
                    String line = describe(agent.getKey(), view);
                    if (!line.equals(lastLine.put(agent.getKey(), line))) {
                        out.println(line);
                        out.flush();
                    }
                }
                allReady.set(ready);
                Thread.sleep(Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
            }
        } finally {
            CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.jvmExitReason())
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
        return 0;
    }

    /** A TLS directory that cannot be read is a one-line error at start, not a reconnection loop. */
    private static void checkTls(String directory) {
        if (directory.isEmpty()) {
            return;
        }
        try {
            TlsDirectory.load(Path.of(directory), "--tls-dir: P4Runtime TLS");
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    /** The agents to run, by switch name. */
    private Map<String, AgentSettings> plan(StareProgram.Mode programMode, InetSocketAddress address, Config config) {
        Map<String, AgentSettings> agents = new LinkedHashMap<>();
        if (topology == null) {
            if (name != null) {
                throw new UserInputException("--name needs --topology");
            }
            agents.put("switch", AgentSettings.fromConfig(config, address.getHostString(), address.getPort(), deviceId,
                    electionId, programMode, 0));
            return agents;
        }
        Topology topo = CliParsing.topology(topology);
        SpanningTree tree = SpanningTree.of(topo);
        List<Topology.Switch> switches = new ArrayList<>(topo.switches());
        for (int i = 0; i < switches.size(); i++) {
            String sw = switches.get(i).name();
            if (name != null && !name.equals(sw)) {
                continue;
            }
            // One named switch: its address and device ID as given; all switches: the softswitch scheme.
            int port = name != null ? address.getPort() : address.getPort() + i;
            long device = name != null ? deviceId : i + 1L;
            agents.put(sw, AgentSettings.fromConfig(config, address.getHostString(), port, device, electionId,
                    programMode, tree.treePorts(sw)));
        }
        if (agents.isEmpty()) {
            throw new UserInputException("switch '" + name + "' is not in " + topology);
        }
        return agents;
    }

    /** Every agent's view, asked at once. */
    private static java.util.concurrent.CompletionStage<Map<String, AgentView>> views(
            ActorSystem<Void> system, Map<String, ActorRef<SwitchAgent.Command>> refs) {
        Map<String, java.util.concurrent.CompletableFuture<AgentView>> asks = new LinkedHashMap<>();
        refs.forEach((sw, ref) -> asks.put(sw, AskPattern.<SwitchAgent.Command, AgentView>ask(ref,
                SwitchAgent.GetView::new, Duration.ofSeconds(5), system.scheduler()).toCompletableFuture()));
        return java.util.concurrent.CompletableFuture.allOf(
                        asks.values().toArray(java.util.concurrent.CompletableFuture[]::new))
                .thenApply(done -> {
                    Map<String, AgentView> views = new LinkedHashMap<>();
                    asks.forEach((sw, view) -> views.put(sw, view.join()));
                    return views;
                });
    }

    private static AgentView ask(ActorSystem<Void> system, ActorRef<SwitchAgent.Command> agent) throws Exception {
        return AskPattern.<SwitchAgent.Command, AgentView>ask(agent, SwitchAgent.GetView::new, Duration.ofSeconds(5),
                system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static String describe(String sw, AgentView view) {
        String role = !view.connected() ? "disconnected" : view.primary() ? (view.ready() ? "primary, ready" : "primary, setting up") : "backup";
        return String.format("%-8s %-20s pushes %d  rules %d  subscribed states %d  arq %d/%d/%d%s", sw, role,
                view.pipelinePushes(), view.rulesInstalled(), view.subscriptions().size(), view.arq().acknowledged(),
                view.arq().retransmissions(), view.arq().abandoned(),
                view.lastError().map(e -> "  last error: " + e).orElse(""));
    }
}
