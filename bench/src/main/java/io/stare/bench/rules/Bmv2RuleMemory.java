package io.stare.bench.rules;

import io.stare.p4.bmv2.Bmv2Process;
import io.stare.p4.bmv2.FrameTap;
import io.stare.p4.bmv2.Host;
import io.stare.p4.bmv2.NetworkNamespace;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import io.stare.protocol.address.MessageKind;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * BMv2's resident memory per installed rule, measured the way the paper measured Table III: the
 * RSS ({@code VmRSS} of {@code /proc/PID/status}) of {@code simple_switch_grpc} as rules are
 * installed, and the slope of a least-squares line through the readings as bytes per rule.
 *
 * <p>Per mode and repetition a fresh BMv2 is started (no program, in a network namespace of our own,
 * exactly as the integration tests start it), the STARE program is pushed, the RSS is read, and then
 * {@code rules} subscriptions are installed in steps of {@code step}, the RSS read after each step
 * (the first few rules are installed and taken back once before the first reading, so one-time costs
 * of BMv2's first packets and writes are not counted as rules):
 * <ul>
 *   <li>register-based: one SUB-register frame per state into front port 0; BMv2's pipeline sets bit
 *       0 of {@code state_ports[state]} and answers a SUB-ack, which is awaited for every frame. This
 *       is in-band on purpose: BMv2's P4Runtime server does not implement register writes, and it is
 *       how the network installs the rule;</li>
 *   <li>register-based control: the same frames and acks as register-based, but SUB-remove frames for
 *       states nobody subscribed, so no rule is installed. Whatever RSS this grows by is BMv2's cost
 *       of processing frames (allocator, packet buffers), not of rules; register-based minus control
 *       is what the rules themselves take;</li>
 *   <li>embedded controller: what the local controller writes over P4Runtime for a subscription, as
 *       the paper's controller did: a multicast group of the state's own (one replica, port 0) and a
 *       {@code state_forwarding} entry state → that group. STARE's own embedded controller shares
 *       port-mask groups between states instead;</li>
 *   <li>embedded, STARE's shared groups: the table entry only, every state naming the port-mask
 *       group installed before the baseline, as STARE's embedded controller writes it. Embedded
 *       minus this is what a group of one's own costs.</li>
 * </ul>
 * The RSS readings of the repetitions are averaged step by step and the line is fitted through the
 * averages (the paper's "linear regression over the average values"); each repetition's own slope
 * is kept to show the spread.
 */
public final class Bmv2RuleMemory {

    /** Front ports BMv2 gets: one is enough, every subscription comes in on port 0. */
    private static final int PORTS = 1;
    private static final int SUBSCRIBER_PORT = 0;
    /** Rules installed and taken back before the baseline reading. */
    private static final int WARM_UP_RULES = 32;

    /** The two STARE modes, as the paper's Table III names them, and the register mode's control. */
    public enum Mode {
        REGISTER("register-based", StareProgram.Mode.REGISTER),
        /** As many frames and acks as {@link #REGISTER}, no rule: SUB-removes of unsubscribed states. */
        REGISTER_CONTROL("register-based control (same frames, no rule)", StareProgram.Mode.REGISTER),
        EMBEDDED("embedded controller", StareProgram.Mode.EMBEDDED),
        /** STARE's own embedded rules: a table entry per state, all naming one shared port-mask group. */
        EMBEDDED_SHARED_GROUP("embedded, STARE's shared groups (entry only)", StareProgram.Mode.EMBEDDED);

        private final String label;
        private final StareProgram.Mode program;

        Mode(String label, StareProgram.Mode program) {
            this.label = label;
            this.program = program;
        }

        public String label() {
            return label;
        }
    }

    /**
     * What to measure.
     *
     * @param rules subscriptions to install per run, one state each (at most the register program's
     *     {@value StarePrograms#DEFAULT_STATE_CAPACITY} states)
     * @param step subscriptions installed between two RSS readings
     * @param repetitions runs per mode, each on a fresh BMv2
     * @param settle pause before each RSS reading, so BMv2's threads are done with the last step
     */
    public record Settings(int rules, int step, int repetitions, Duration settle) {

        /** The defaults of {@code stare bench rules --bmv2}: 2,000 rules in steps of 100, 3 runs. */
        public static Settings defaults() {
            return new Settings(2_000, 100, 3, Duration.ofMillis(200));
        }

        public Settings {
            if (rules < 2 || rules > StarePrograms.DEFAULT_STATE_CAPACITY) {
                throw new IllegalArgumentException("rules " + rules + " is out of range 2.."
                        + StarePrograms.DEFAULT_STATE_CAPACITY + " (the register program's states)");
            }
            if (step < 1 || step > rules) {
                throw new IllegalArgumentException("step " + step + " is out of range 1.." + rules);
            }
            if (repetitions < 1 || repetitions > 100) {
                throw new IllegalArgumentException("repetitions " + repetitions + " is out of range 1..100");
            }
            if (settle.isNegative()) {
                throw new IllegalArgumentException("settle " + settle + " is negative");
            }
        }

        /** The rule counts at which the RSS is read: 0, step, 2 step, ..., rules. */
        public List<Integer> readings() {
            List<Integer> counts = new ArrayList<>();
            for (int installed = 0; installed < rules; installed += step) {
                counts.add(installed);
            }
            counts.add(rules);
            return List.copyOf(counts);
        }
    }

    /** The RSS of BMv2 with {@code rules} subscriptions installed (a mean over the repetitions). */
    public record Reading(int rules, double residentBytes) {
    }

    /**
     * One mode's result.
     *
     * @param readings the RSS at each step, averaged over the repetitions
     * @param fit the least-squares line through {@code readings}: its slope is bytes per rule
     * @param runSlopes each repetition's own slope, bytes per rule
     */
    public record Curve(Mode mode, List<Reading> readings, LinearFit.Line fit, List<Double> runSlopes) {

        /** RSS before the first rule (the pipeline pushed). */
        public double baselineBytes() {
            return readings.get(0).residentBytes();
        }

        /** RSS growth from no rule to all of them. */
        public double growthBytes() {
            return readings.get(readings.size() - 1).residentBytes() - baselineBytes();
        }
    }

    /** Both modes' curves, and the BMv2 binary that was measured. */
    public record Result(Settings settings, Path bmv2, List<Curve> curves) {
    }

    private Bmv2RuleMemory() {
    }

    /**
     * Why the measurement cannot run here (no BMv2, not Linux, not root, no {@code ip} or
     * {@code python3}), as one line that says how to point at BMv2; empty if it can.
     */
    public static Optional<String> unavailable() {
        Optional<String> notFound = Host.bmv2NotFound();
        return notFound.isPresent() ? notFound : Host.missing();
    }

    /**
     * Runs the measurement: every repetition of the register mode, then of the embedded mode.
     * {@code progress} hears a line per run.
     *
     * @throws IllegalStateException if {@link #unavailable()} is not empty
     * @throws IOException if BMv2 fails, refuses a write, or does not ack a subscription
     */
    public static Result measure(Settings settings, Consumer<String> progress) throws IOException, InterruptedException {
        unavailable().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bmv2-rule-memory");
        try (NetworkNamespace namespace = NetworkNamespace.create(PORTS)) {
            List<Curve> curves = new ArrayList<>();
            for (Mode mode : Mode.values()) {
                List<long[]> runs = new ArrayList<>();
                for (int run = 1; run <= settings.repetitions(); run++) {
                    progress.accept(String.format("BMv2 %s, run %d of %d: %,d rules in steps of %,d...",
                            mode.label(), run, settings.repetitions(), settings.rules(), settings.step()));
                    runs.add(run(mode, settings, namespace, system));
                }
                curves.add(curve(mode, settings, runs));
            }
            return new Result(settings, Host.bmv2().orElseThrow(), List.copyOf(curves));
        } finally {
            system.terminate();
        }
    }

    /** The mean curve of several runs and its fit, with each run's own slope. */
    static Curve curve(Mode mode, Settings settings, List<long[]> runs) {
        List<Integer> counts = settings.readings();
        double[] x = new double[counts.size()];
        double[] mean = new double[counts.size()];
        List<Double> runSlopes = new ArrayList<>();
        for (int i = 0; i < counts.size(); i++) {
            x[i] = counts.get(i);
        }
        for (long[] run : runs) {
            double[] y = new double[run.length];
            for (int i = 0; i < run.length; i++) {
                y[i] = run[i];
                mean[i] += (double) run[i] / runs.size();
            }
            runSlopes.add(LinearFit.fit(x, y).slope());
        }
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < counts.size(); i++) {
            readings.add(new Reading(counts.get(i), mean[i]));
        }
        return new Curve(mode, List.copyOf(readings), LinearFit.fit(x, mean), List.copyOf(runSlopes));
    }

    /** One run on a fresh BMv2: the RSS at each of {@link Settings#readings()}. */
    private static long[] run(Mode mode, Settings settings, NetworkNamespace namespace, ActorSystem<?> system)
            throws IOException, InterruptedException {
        List<Integer> counts = settings.readings();
        long[] resident = new long[counts.size()];
        int warmUp = Math.min(WARM_UP_RULES, settings.rules());
        try (Bmv2Process bmv2 = Bmv2Process.start(namespace);
             Bmv2Session session = Bmv2Session.open(system, bmv2.p4RuntimePort())) {
            session.push(StarePrograms.config(mode.program));
            FrameTap tap = null;
            try {
                Installer installer;
                if (mode.program == StareProgram.Mode.REGISTER) {
                    // What the agent installs before any subscription: the SUB-ack leaves through
                    // the group of the ingress port's mask. Part of the baseline, not of a rule.
                    session.insert(MulticastGroups.portMasks());
                    tap = FrameTap.start(namespace, bmv2.dir());
                    InBandSubscriptions inBand = new InBandSubscriptions(tap, SUBSCRIBER_PORT);
                    // The control clears bits that are already clear: the pipeline reads and writes
                    // the cell and acks exactly as for a subscription, but no port is ever set.
                    MessageKind install = mode == Mode.REGISTER ? MessageKind.SUB_REGISTER : MessageKind.SUB_REMOVE;
                    installer = new Installer(
                            (from, to) -> inBand.send(install, from, to),
                            (from, to) -> inBand.send(MessageKind.SUB_REMOVE, from, to));
                } else {
                    EmbeddedRules rules = mode == Mode.EMBEDDED ? EmbeddedRules.perState(SUBSCRIBER_PORT)
                            : EmbeddedRules.sharedGroup(SUBSCRIBER_PORT);
                    rules.prepare(session);
                    installer = new Installer((from, to) -> rules.install(session, from, to),
                            (from, to) -> rules.remove(session, from, to));
                }
                // Installed and taken back before the baseline, so the first step does not also pay
                // BMv2's one-time costs of its first packets or writes (packet buffers, thread
                // stacks, gRPC and PI buffers): a jump at the start of the line would tilt the slope.
                installer.install().apply(0, warmUp);
                installer.remove().apply(0, warmUp);
                long pid = bmv2.switchPid();
                resident[0] = read(pid, settings.settle());
                for (int i = 1; i < counts.size(); i++) {
                    installer.install().apply(counts.get(i - 1), counts.get(i));
                    resident[i] = read(pid, settings.settle());
                }
                if (mode.program == StareProgram.Mode.EMBEDDED) {
                    EmbeddedRules.perState(SUBSCRIBER_PORT).verify(session, settings.rules());
                }
            } finally {
                if (tap != null) {
                    tap.close();
                }
            }
            if (!bmv2.isAlive()) {
                throw new IOException("simple_switch_grpc exited during the run:\n" + bmv2.log());
            }
        }
        return resident;
    }

    /** Subscribes, or takes back, the states {@code from .. to-1}. */
    @FunctionalInterface
    private interface Step {
        void apply(int from, int to) throws IOException;
    }

    /** How a mode installs and removes rules. */
    private record Installer(Step install, Step remove) {
    }

    private static long read(long pid, Duration settle) throws IOException, InterruptedException {
        Thread.sleep(settle.toMillis());
        return ProcStatus.read(pid).residentBytes();
    }
}
