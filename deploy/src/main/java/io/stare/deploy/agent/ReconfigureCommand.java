package io.stare.deploy.agent;

import io.stare.actors.agent.AgentSettings;
import io.stare.actors.agent.AgentView;
import io.stare.actors.agent.Reconfiguration;
import io.stare.actors.agent.ReconfigurationReport;
import io.stare.actors.agent.SwitchAgent;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare agent reconfigure}: moves a register-mode switch to a larger state table without
 * losing subscriptions (State4), and prints the report. It runs a one-shot agent with a higher
 * election ID than the running agent's, so it becomes primary for the reconfiguration; when it
 * leaves, the running agent becomes primary again and adopts the larger build.
 */
@Command(name = "reconfigure", mixinStandardHelpOptions = true,
        description = "Grow a register-mode switch's state table without losing subscriptions (State4), "
                + "while traffic goes on, and print what happened.")
public final class ReconfigureCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--switch", defaultValue = "127.0.0.1:9559",
            description = "the switch's P4Runtime address HOST:PORT (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--device-id", defaultValue = "1", description = "P4Runtime device ID (default: ${DEFAULT-VALUE})")
    long deviceId;

    @Option(names = "--election-id", defaultValue = "1000000",
            description = "election ID of the one-shot agent; must beat the running agent's (default: ${DEFAULT-VALUE})")
    BigInteger electionId;

    @Option(names = "--capacity", defaultValue = "4096",
            description = "state slots of the new table: one of the shipped builds, 4096 or 8192 (default: ${DEFAULT-VALUE})")
    int capacity;

    @Option(names = "--naive",
            description = "copy the table without cloning changes (loses changes under churn; for comparison only)")
    boolean naive;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress address = CliParsing.switchAddress(target);
        if (!StarePrograms.REGISTER_CAPACITIES.contains(capacity) || capacity == StarePrograms.REGISTER_CAPACITIES.get(0)) {
            throw new UserInputException("--capacity must be one of the larger shipped builds "
                    + StarePrograms.REGISTER_CAPACITIES.subList(1, StarePrograms.REGISTER_CAPACITIES.size()) + ", not " + capacity);
        }
        CliParsing.electionId(electionId);
        AgentSettings settings = AgentSettings.fromConfig(com.typesafe.config.ConfigFactory.load(),
                address.getHostString(), address.getPort(), deviceId, electionId, StareProgram.Mode.REGISTER, 0);

        PrintWriter out = spec.commandLine().getOut();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "stare-reconfigure");
        try {
            ActorRef<SwitchAgent.Command> agent = system.systemActorOf(SwitchAgent.create(settings), "agent",
                    Props.empty());
            out.println("taking over " + settings.target() + " with election ID " + electionId + "...");
            out.flush();
            awaitReady(system, agent, Duration.ofSeconds(30));
            Reconfiguration.Strategy strategy = naive ? Reconfiguration.Strategy.NAIVE_UNSAFE
                    : Reconfiguration.Strategy.STATE4;
            ReconfigurationReport report = AskPattern.<SwitchAgent.Command, ReconfigurationReport>ask(agent,
                    replyTo -> new SwitchAgent.Reconfigure(capacity, strategy, replyTo), Duration.ofSeconds(120),
                    system.scheduler()).toCompletableFuture().get(130, TimeUnit.SECONDS);
            print(out, report);
            return report.succeeded() ? 0 : 1;
        } finally {
            CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.jvmExitReason())
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
    }

    private static void awaitReady(ActorSystem<Void> system, ActorRef<SwitchAgent.Command> agent, Duration max)
            throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        AgentView view = null;
        while (System.nanoTime() < deadline) {
            view = AskPattern.<SwitchAgent.Command, AgentView>ask(agent, SwitchAgent.GetView::new, Duration.ofSeconds(5),
                    system.scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (view.ready()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new UserInputException("could not become primary of the switch within " + max.toSeconds() + " s"
                + (view == null ? "" : view.lastError().map(e -> ": " + e).orElse(" (is --election-id higher than the "
                + "running agent's?)")));
    }

    static void print(PrintWriter out, ReconfigurationReport r) {
        out.println(r.succeeded() ? "reconfigured" : "reconfiguration FAILED: " + r.failure().orElse(""));
        out.printf("  strategy             %s (register access: %s)%n", r.strategy(), r.access());
        out.printf("  capacity             %d -> %d states%n", r.fromCapacity(), r.toCapacity());
        out.printf("  cells copied         %d%n", r.cellsCopied());
        out.printf("  updates cloned       %d during the window, %d written after look-ahead, %d repeated%n",
                r.updatesCloned(), r.updatesApplied(), r.fenceRewrites());
        out.printf("  forwarding paused    at most %.1f ms (COMMIT sent to acknowledged)%n",
                r.commitTime().toNanos() / 1e6);
        out.printf("  total                %.1f ms%n", r.total().toNanos() / 1e6);
        out.flush();
    }
}
