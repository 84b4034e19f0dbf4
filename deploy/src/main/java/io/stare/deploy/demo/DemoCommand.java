package io.stare.deploy.demo;

import com.typesafe.config.ConfigFactory;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import io.stare.deploy.observability.OperatorEndpoint;
import io.stare.p4.program.StareProgram;
import io.stare.p4.topology.Topology;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare demo}: the paper's 5G mobility-tracking use case on one machine ({@link MobilityDemo}),
 * with a status block refreshed in place every second and a summary at the end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, subcommands = io.stare.deploy.ids.IdsCommand.class,
        description = {"Run the paper's 5G use case end to end in this process: a software switch and its agent, "
                + "the replica controller, a middleware per host and four mobility-tracking VNFs on the paper's "
                + "testbed (one switch; hosts h1, h2, h3 with 1, 2 and 1 VNFs). Each VNF publishes its WiFi "
                + "scanners' reports (10 to 50 hashed MACs with time and RSSI) as a STARE state and subscribes "
                + "to its neighbours'; the VNFs infer where devices walk and how fast.",
                "The scenario runs --speedup times faster than the wall clock; the summary checks every "
                        + "inferred trajectory against the scenario's ground truth."})
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", description = "stop after this long, e.g. 60s (default: until Ctrl-C)")
    String duration;

    @Option(names = "--period", defaultValue = "2s",
            description = "the scanners' report period in scenario time; the paper's is 20s (default: ${DEFAULT-VALUE})")
    String period;

    @Option(names = "--speedup", defaultValue = "10",
            description = "how many times faster than the wall clock the scenario runs (default: ${DEFAULT-VALUE})")
    double speedup;

    @Option(names = "--devices", defaultValue = "40",
            description = "devices walking between the areas, 0 to 50 (default: ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--loss", defaultValue = "0",
            description = "loss probability on every host and switch link, e.g. 0.05 (default: ${DEFAULT-VALUE})")
    double loss;

    @Option(names = "--topology", description = "topology file (default: the paper's testbed, Fig. 7a); the "
            + "areas' VNFs are spread over its hosts in order")
    Path topology;

    @Option(names = "--mode", defaultValue = "register", description = "register or embedded (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the scenario and of the loss (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--metrics", description = "serve Prometheus metrics at http://HOST:PORT/metrics, with /ready "
            + "and /alive (Pekko Management; e.g. 127.0.0.1:9464)")
    String metrics;

    @Option(names = "--plain", description = "append status blocks instead of refreshing one in place "
            + "(the default when the output is not a terminal)")
    boolean plain;

    @Override
    public Integer call() throws Exception {
        MobilityDemo.Settings settings = settings();
        InetSocketAddress metricsAt = metrics == null ? null : CliParsing.address("--metrics", metrics);
        PrintWriter out = spec.commandLine().getOut();
        boolean inPlace = !plain && System.console() != null;

        // The demo stops the fabric itself, also on Ctrl-C: Pekko must not stop it first from its own hook.
        System.setProperty("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");

        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stare-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);

        AtomicReference<MobilityDemo> running = new AtomicReference<>();
        AtomicBoolean ready = new AtomicBoolean();
        ActorSystem<Void> http = null;
        InetSocketAddress endpoint = null;
        try {
            if (metricsAt != null) {
                http = ActorSystem.create(Behaviors.empty(), "stare-demo-http",
                        OperatorEndpoint.at(metricsAt, false).withFallback(ConfigFactory.load()));
                endpoint = OperatorEndpoint.start(http, () -> {
                    MobilityDemo demo = running.get();
                    return demo == null
                            ? CompletableFuture.failedFuture(new IllegalStateException("the fabric is starting"))
                            : demo.metrics();
                }, ready::get, Duration.ofSeconds(10));
            }
            out.println(header(settings));
            if (endpoint != null) {
                out.println("metrics at " + OperatorEndpoint.describe(endpoint));
            }
            out.println("starting the fabric...");
            out.flush();
            MobilityDemo demo = MobilityDemo.start(settings);
            try {
                running.set(demo);
                ready.set(true);
                out.println(placement(demo));
                out.println(settings.duration().map(d -> "running for " + format(d) + "; Ctrl-C stops earlier")
                        .orElse("running; Ctrl-C to stop"));
                out.flush();
                long deadline = settings.duration().map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
                int shown = 0;
                while (!stop.get() && System.nanoTime() < deadline && demo.failure().isEmpty()) {
                    long next = System.nanoTime() + 1_000_000_000L;
                    List<String> lines = status(demo.snapshot(), settings);
                    if (inPlace && shown > 0) {
                        out.print("\033[" + shown + "A\r");
                    }
                    for (String line : lines) {
                        out.print(line);
                        out.println(inPlace ? "\033[K" : "");
                    }
                    if (inPlace) {
                        out.print("\033[J");
                    } else {
                        out.println();
                    }
                    out.flush();
                    shown = lines.size();
                    while (!stop.get() && System.nanoTime() < Math.min(next, deadline)) {
                        Thread.sleep(50);
                    }
                }
                if (demo.failure().isPresent()) {
                    throw new IllegalStateException("the demo's driver failed", demo.failure().get());
                }
                out.println(stop.get() ? "stopping (Ctrl-C)..." : "stopping...");
                out.flush();
                MobilityDemo.Snapshot last = demo.finish(Duration.ofSeconds(2));
                for (String line : summary(last, demo, settings)) {
                    out.println(line);
                }
                out.flush();
            } finally {
                ready.set(false);
                demo.close();
            }
        } finally {
            if (http != null) {
                http.terminate();
                http.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for us; nothing to remove.
            }
        }
        return 0;
    }

    /** The settings the flags give, or one line saying which flag is wrong. */
    MobilityDemo.Settings settings() {
        StareProgram.Mode programMode = switch (mode.toLowerCase(Locale.ROOT)) {
            case "register" -> StareProgram.Mode.REGISTER;
            case "embedded" -> StareProgram.Mode.EMBEDDED;
            default -> throw new UserInputException("--mode must be register or embedded, not '" + mode + "'");
        };
        Optional<Duration> runFor = duration == null ? Optional.empty()
                : Optional.of(CliParsing.duration("--duration", duration));
        if (runFor.isPresent() && runFor.get().isZero()) {
            throw new UserInputException("--duration must be longer than 0");
        }
        Duration scanPeriod = CliParsing.duration("--period", period);
        if (scanPeriod.toMillis() < 10) {
            throw new UserInputException("--period must be at least 10ms, not " + period);
        }
        if (devices < 0 || devices > 50) {
            throw new UserInputException("--devices must be 0 to 50 (a report carries at most 50), not " + devices);
        }
        if (!(loss >= 0) || loss >= 1) {
            throw new UserInputException("--loss must be a probability in [0, 1), e.g. 0.05, not " + loss);
        }
        if (!(speedup >= 1) || speedup > 1000) {
            throw new UserInputException("--speedup must be 1 to 1000, not " + speedup);
        }
        Topology topo = null;
        if (topology != null) {
            topo = CliParsing.topology(topology);
            if (topo.hosts().isEmpty()) {
                throw new UserInputException(topology + " declares no host to run the VNFs on");
            }
        }
        return MobilityDemo.Settings.defaults().withTopology(topo).withMode(programMode).withDevices(devices)
                .withPeriod(scanPeriod).withSpeedup(speedup).withLoss(loss).withSeed(seed).withDuration(runFor);
    }

    static String header(MobilityDemo.Settings s) {
        long wallPeriod = Math.round(s.period().toMillis() / s.speedup());
        return "STARE mobility demo: " + s.map().areas().size() + " areas, " + s.devices() + " walking devices, "
                + (s.topology() == null ? "the paper's testbed (s1; h1, h2, h3)" : s.topology().switches().size()
                + " switches, " + s.topology().hosts().size() + " hosts") + ", "
                + s.mode().name().toLowerCase(Locale.ROOT) + " mode, scan period " + format(s.period())
                + " at " + trim(s.speedup()) + "x (a report per area every " + wallPeriod + " ms)"
                + (s.loss() > 0 ? ", loss " + trim(s.loss() * 100) + "% on every link" : "");
    }

    static String placement(MobilityDemo demo) {
        StringBuilder sb = new StringBuilder("VNFs:");
        demo.hosts().forEach((area, host) -> sb.append(' ').append(MobilityDemo.vnfName(area)).append('@').append(host)
                .append(" (scans/").append(area).append(" = state ").append(demo.stateIds().get(area)).append(')'));
        return sb.toString();
    }

    /** The status block. */
    static List<String> status(MobilityDemo.Snapshot s, MobilityDemo.Settings settings) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "-- %s elapsed, %s of scenario", format(s.elapsed()), format(s.scenario())));
        lines.addAll(table(s));
        lines.add(String.format(Locale.ROOT, "trajectories  %d inferred, %d in the true direction, speed error %.1f%%"
                        + "  (true trips completed: %d)", s.trajectories(), s.correct(), s.meanSpeedError() * 100,
                s.trueTrips()));
        lines.add(String.format(Locale.ROOT, "recovery      %d packets dropped by the links, %d RECOVER requests, "
                        + "%d segments recovered, %d updates unrecoverable", s.dropped(), s.recoverRequests(),
                s.recoveredSegments(), s.unrecoverable()));
        StringBuilder backlogs = new StringBuilder("backlogs     ");
        s.backlogs().forEach((area, n) -> backlogs.append(' ').append(MobilityDemo.STATE_PREFIX).append(area).append(' ')
                .append(n < 0 ? "?" : Integer.toString(n)));
        lines.add(backlogs + "  (updates held)");
        StringBuilder switches = new StringBuilder("switches     ");
        s.subscriberPorts().forEach((sw, perState) -> {
            int agent = s.agentStates().getOrDefault(sw, -1);
            switches.append(' ').append(sw).append(": ").append(perState.size()).append(" states, ")
                    .append(perState.values().stream().mapToInt(Integer::intValue).sum()).append(" subscriber ports")
                    .append(agent >= 0 ? " (agent knows " + agent + ")" : "").append(';');
        });
        lines.add(switches.substring(0, switches.length() - (switches.toString().endsWith(";") ? 1 : 0)));
        return lines;
    }

    private static List<String> table(MobilityDemo.Snapshot s) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-16s %-4s %10s %10s %6s %8s %13s", "VNF", "host", "published",
                "delivered", "lost", "devices", "trajectories"));
        for (MobilityDemo.VnfRow r : s.vnfs()) {
            lines.add(String.format(Locale.ROOT, "%-16s %-4s %10d %10d %6d %8d %13d", r.name(), r.host(), r.published(),
                    r.delivered(), r.lost(), r.tracked(), r.trajectories()));
        }
        return lines;
    }

    /** The summary printed at the end. */
    static List<String> summary(MobilityDemo.Snapshot s, MobilityDemo demo, MobilityDemo.Settings settings) {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add(String.format(Locale.ROOT, "Summary: %s of demo, %s of scenario (scan period %s, %sx)",
                format(s.elapsed()), format(s.scenario()), format(settings.period()), trim(settings.speedup())));
        lines.addAll(table(s));
        List<MobilityDemo.Inferred> all = demo.trajectories();
        lines.add(String.format(Locale.ROOT, "Trajectories inferred: %d distinct (true trips completed: %d)",
                s.trajectories(), s.trueTrips()));
        if (s.trajectories() > 0) {
            lines.add(String.format(Locale.ROOT, "  direction: %d of %d as walked (%.0f%%)", s.correct(), s.trajectories(),
                    100.0 * s.correct() / s.trajectories()));
            lines.add(String.format(Locale.ROOT, "  speed: mean error %.1f%% (each end of a walk is known to within "
                    + "one scan period)", s.meanSpeedError() * 100));
            int shown = 0;
            for (MobilityDemo.Inferred i : all) {
                if (shown++ == 8) {
                    lines.add("  ... and " + (all.size() - 8) + " more");
                    break;
                }
                lines.add(String.format(Locale.ROOT, "  device %s.. %s -> %s, %.2f m/s%s", i.trajectory().device()
                                .substring(0, Math.min(6, i.trajectory().device().length())), i.trajectory().from(),
                        i.trajectory().to(), i.trajectory().speed(), i.truth().map(t -> String.format(Locale.ROOT,
                                " (true %.2f m/s%s)", t.speed(), i.correct() ? "" : ", walked " + t.from() + " -> "
                                        + t.to())).orElse(" (no true trip matches)")));
            }
        } else {
            lines.add("  none yet: run longer (--duration) or faster (--speedup) so that devices reach the next area");
        }
        lines.add(String.format(Locale.ROOT, "Loss: %s; %d packets dropped, %d RECOVER requests, %d segments "
                        + "recovered from the backlog, %d updates unrecoverable",
                settings.loss() > 0 ? "--loss " + trim(settings.loss()) + " on every link" : "none injected",
                s.dropped(), s.recoverRequests(), s.recoveredSegments(), s.unrecoverable()));
        return lines;
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = ms / 1000;
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
