package io.stare.bench.latency;

import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Issue 8's publish-to-delivery latency harness: for every system, subscriber count and payload
 * size, one publisher paced at a fixed offered rate, the intended send time in each payload, and
 * every delivery's latency measured from that intended time into an HdrHistogram.
 *
 * <p><b>Coordinated omission.</b> The publisher's schedule is fixed in advance: update {@code i} is
 * due at {@code start + i / rate}. That due time, not the moment the send actually happened, is
 * written into the payload and is what latency is measured from. A publisher held up by the system
 * (a blocking {@code PUBLISH}, a full queue) falls behind its schedule, then sends the overdue
 * updates at once, each still carrying its own due time, so the stall shows up as latency of every
 * update that should have gone out during it. Because the correction is already in the measured
 * values, {@code recordValueWithExpectedInterval} is not used (it would correct twice).
 */
public final class LatencyBenchmark {

    /** Which cells also search for the highest rate they sustain without loss. */
    public enum Search {
        /** None. */
        OFF,
        /** Only the cell of the first subscriber count and the first payload size (per system). */
        FIRST,
        /** Every subscriber count at the first payload size. */
        FIRST_PAYLOAD,
        /** Every cell. */
        ALL
    }

    /**
     * What to run.
     *
     * @param search which cells search for their highest sustained rate, with trials of {@code trial}
     *               (each followed by up to {@code drain} for the deliveries still on their way)
     */
    public record Options(List<String> systems, List<Integer> subscribers, List<Integer> payloads, int rate,
                          Duration duration, Duration warmup, int repetitions, Duration drain,
                          Search search, Duration trial) {
        public Options {
            systems = List.copyOf(systems);
            subscribers = List.copyOf(subscribers);
            payloads = List.copyOf(payloads);
            if (rate < 1 || rate > SEARCH_CEILING) {
                throw new IllegalArgumentException("rate " + rate + " is out of range 1.." + SEARCH_CEILING);
            }
            if (repetitions < 1) {
                throw new IllegalArgumentException("repetitions must be at least 1");
            }
            for (int payload : payloads) {
                if (payload < Payloads.HEADER || payload > 65_507) {
                    throw new IllegalArgumentException("payload " + payload + " is out of range "
                            + Payloads.HEADER + "..65507");
                }
            }
            for (int n : subscribers) {
                if (n < 1 || n > 64) {
                    throw new IllegalArgumentException("subscribers " + n + " is out of range 1..64");
                }
            }
            if (search == null || trial == null || trial.isNegative() || trial.isZero()) {
                throw new IllegalArgumentException("a search mode and a positive trial duration are needed");
            }
            for (String system : systems) {
                if (!Systems.KNOWN.contains(system)) {
                    throw new IllegalArgumentException("unknown system " + system + "; known: "
                            + String.join(",", Systems.KNOWN));
                }
            }
        }

        /** The full scenario: 10,000 updates/s, 3 x 10 s per cell, and every cell's highest rate. */
        public static Options full() {
            return new Options(Systems.KNOWN, List.of(1, 4, 16), List.of(64, 1024, 16384), 10_000,
                    Duration.ofSeconds(10), Duration.ofSeconds(3), 3, Duration.ofSeconds(2), Search.ALL,
                    Duration.ofSeconds(3));
        }

        /**
         * {@code --quick}: N 1 and 4, 64 B and 1 KB, 10,000 updates/s, 1.5 s measured once after 1 s
         * of warm-up; the highest rate of N = 1, 64 B only, with 1 s trials. About four minutes.
         */
        public static Options quick() {
            return new Options(Systems.KNOWN, List.of(1, 4), List.of(64, 1024), 10_000,
                    Duration.ofMillis(1500), Duration.ofSeconds(1), 1, Duration.ofSeconds(1), Search.FIRST,
                    Duration.ofSeconds(1));
        }

        boolean searches(int subscribers, int payload) {
            return switch (search) {
                case OFF -> false;
                case FIRST -> subscribers == this.subscribers.get(0) && payload == payloads.get(0);
                case FIRST_PAYLOAD -> payload == payloads.get(0);
                case ALL -> true;
            };
        }
    }

    /**
     * One cell's figures; latencies in microseconds, rates per second. {@code status} is "ok",
     * "skipped: reason" or "failed: reason" (then the figures are NaN or 0). The percentiles are
     * over all repetitions merged; {@code spread} gives each repetition's own p50 and p99 range.
     * {@code maxRate} is the highest rate sustained without loss ({@code null} when not searched).
     */
    public record Row(String system, int subscribers, int payload, int rate, String status,
                      double p50, double p99, double p999, double max,
                      long sent, long delivered, long lost, long refused, double sendRate, double throughput,
                      String firstRefusal, Spread spread, MaxRate maxRate, Cost cost) {

        public boolean ok() {
            return "ok".equals(status);
        }

        static Row notRun(String system, int subscribers, int payload, int rate, String status) {
            return new Row(system, subscribers, payload, rate, status, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, 0, 0, 0, 0, Double.NaN, Double.NaN, "", Spread.NONE, null, Cost.UNKNOWN);
        }
    }

    /**
     * What the machine spent per delivered update during the fixed-rate repetitions, all processes
     * counted ({@link SystemCost}): CPU microseconds, system calls and context switches (NaN where
     * unknown).
     */
    public record Cost(double cpuMicros, double syscalls, double contextSwitches) {
        static final Cost UNKNOWN = new Cost(Double.NaN, Double.NaN, Double.NaN);
    }

    /** The lowest and highest p50 and p99 of the single repetitions, in microseconds. */
    public record Spread(double p50Low, double p50High, double p99Low, double p99High) {
        static final Spread NONE = new Spread(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        Spread with(double p50, double p99) {
            return this == NONE ? new Spread(p50, p50, p99, p99) : new Spread(Math.min(p50Low, p50),
                    Math.max(p50High, p50), Math.min(p99Low, p99), Math.max(p99High, p99));
        }
    }

    /**
     * The search's result: {@code rate} the highest rate sustained (0: not even the lowest tried),
     * with the p50 and p99 of that trial, and every trial as {@code rate+} (sustained) or {@code rate-}.
     */
    public record MaxRate(int rate, double p50, double p99, String trials) {
    }

    /**
     * The rate search starts here, doubles up to the ceiling, then bisects this many times. The
     * ceiling is far above what any system here sustains (a ceiling of 320,000/s once had NATS and
     * Aeron sitting on it), so every system's figure is its own.
     */
    static final int SEARCH_START = 2_500;
    static final int SEARCH_CEILING = 10_240_000;
    static final int SEARCH_REFINEMENTS = 2;
    /** Below this much compiling per second of warm-up, the JIT counts as settled. */
    private static final long JIT_QUIET_MILLIS_PER_SECOND = 50;

    private LatencyBenchmark() {
    }

    /** Runs every cell, printing a line per cell to {@code progress}; returns the rows in run order. */
    public static List<Row> run(Options options, PrintWriter progress) {
        List<Row> rows = new ArrayList<>();
        for (String name : options.systems()) {
            PubSubSystem system = Systems.create(name);
            Optional<String> unavailable = system.unavailable();
            for (int n : options.subscribers()) {
                for (int payload : options.payloads()) {
                    Row row;
                    if (unavailable.isPresent()) {
                        row = Row.notRun(name, n, payload, options.rate(), "skipped: " + unavailable.get());
                    } else {
                        try {
                            row = runCell(system, n, payload, options);
                        } catch (Exception | LinkageError e) {
                            row = Row.notRun(name, n, payload, options.rate(), "failed: " + e);
                        }
                    }
                    rows.add(row);
                    progress.println(LatencyReport.progressLine(row));
                    progress.flush();
                }
            }
        }
        return rows;
    }

    /** Recording state shared between the publisher and the receiving threads. */
    private static final class Sink implements PubSubSystem.Receiver {
        final Recorder recorder = new Recorder(3);
        final AtomicLong delivered = new AtomicLong();
        /** Every delivery, recorded or not: tells when a system has gone quiet. */
        final AtomicLong arrivals = new AtomicLong();
        volatile long low = Long.MAX_VALUE;
        volatile long high = Long.MAX_VALUE;

        @Override
        public void onDelivery(int subscriber, byte[] buffer, int offset, int length, long receiveNanos) {
            if (length < Payloads.HEADER) {
                return;
            }
            arrivals.incrementAndGet();
            long sequence = Payloads.sequence(buffer, offset);
            if (sequence >= low && sequence < high) {
                recorder.recordValue(Math.max(0, receiveNanos - Payloads.intendedNanos(buffer, offset)));
                delivered.incrementAndGet();
            }
        }
    }

    /** One system, subscriber count and payload: warm-up, then the repetitions, merged. */
    static Row runCell(PubSubSystem system, int subscribers, int payloadSize, Options options) throws Exception {
        // Every cell starts from a collected heap: what earlier cells left behind (a whole STARE
        // fabric, a cluster of ActorSystems) should not be collected during this one's measurement.
        System.gc();
        Sink sink = new Sink();
        long interval = TimeUnit.SECONDS.toNanos(1) / options.rate();
        byte[] payload = Payloads.allocate(payloadSize);
        try (PubSubSystem.Session session = system.start(subscribers, payloadSize, sink)) {
            long[] sequence = {0};
            warmUp(session, payload, sequence, options, interval);
            drain(sink, Long.MAX_VALUE, options.drain());
            Histogram merged = new Histogram(3);
            long sent = 0;
            long delivered = 0;
            long refused = 0;
            double sendSeconds = 0;
            long refusedBefore = session.refusedLater();
            Spread spread = Spread.NONE;
            SystemCost.Reading cost = SystemCost.Reading.NONE;
            for (int r = 0; r < options.repetitions(); r++) {
                SystemCost counting = SystemCost.start(options.duration().toNanos() / 1e9);
                Measured m = measure(session, sink, payload, sequence, options.rate(), options.duration(), subscribers,
                        options.drain());
                cost = cost.plus(counting.stop());
                merged.add(m.histogram);
                spread = spread.with(micros(m.histogram.getValueAtPercentile(50)),
                        micros(m.histogram.getValueAtPercentile(99)));
                sent += m.sent;
                delivered += m.delivered;
                refused += m.sent - m.accepted;
                sendSeconds += m.sendSeconds;
            }
            refused += session.refusedLater() - refusedBefore;
            long expected = sent * subscribers;
            double measuredSeconds = options.duration().toNanos() / 1e9 * options.repetitions();
            MaxRate maxRate = options.searches(subscribers, payloadSize)
                    ? searchMaxRate(session, sink, payload, sequence, subscribers, options) : null;
            return new Row(system.name(), subscribers, payloadSize, options.rate(), "ok",
                    micros(merged.getValueAtPercentile(50)), micros(merged.getValueAtPercentile(99)),
                    micros(merged.getValueAtPercentile(99.9)), micros(merged.getMaxValue()),
                    sent, delivered, Math.max(0, expected - delivered), refused,
                    sendSeconds > 0 ? sent / sendSeconds : Double.NaN,
                    delivered / (double) subscribers / measuredSeconds, session.firstRefusal(), spread, maxRate,
                    cost.per(delivered));
        }
    }

    /**
     * Ramps the rate up to the cell's over the first half of the warm-up (an eighth, a quarter, a
     * half of it, then all of it), publishes at the full rate for the rest, then on in rounds of a
     * second while the JIT compiler is still busy (over 5% of the round compiling), up to three times
     * the warm-up. Every system gets the same ramp, so every cell starts from the same warm state:
     * a cold system hit at full rate at once pays for its JIT and its buffers growing inside the
     * measurement (STARE's first run lost everything that way). On 2 cores a C2 compiler thread
     * still working takes a core from the system measured.
     */
    private static void warmUp(PubSubSystem.Session session, byte[] payload, long[] sequence, Options options,
                               long interval) throws Exception {
        ramp(session, payload, sequence, options.rate(), options.warmup().dividedBy(2));
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean monitored = jit != null && jit.isCompilationTimeMonitoringSupported();
        paced(session, payload, sequence, count(options.warmup().dividedBy(2), options.rate()), interval);
        long limit = System.nanoTime() + options.warmup().multipliedBy(2).toNanos();
        while (monitored && System.nanoTime() < limit) {
            long before = jit.getTotalCompilationTime();
            paced(session, payload, sequence, count(Duration.ofSeconds(1), options.rate()), interval);
            if (jit.getTotalCompilationTime() - before < JIT_QUIET_MILLIS_PER_SECOND) {
                return;
            }
        }
    }

    /** Publishes at an eighth, a quarter and a half of {@code rate}, each for a third of {@code length}. */
    private static void ramp(PubSubSystem.Session session, byte[] payload, long[] sequence, int rate, Duration length)
            throws Exception {
        for (int divisor : new int[] {8, 4, 2}) {
            int step = Math.max(1, rate / divisor);
            paced(session, payload, sequence, count(length.dividedBy(3), step), TimeUnit.SECONDS.toNanos(1) / step);
        }
    }

    /** What one measured stretch at one rate gave. */
    private record Measured(Histogram histogram, long sent, long accepted, long delivered, double sendSeconds) {
    }

    /** Publishes at {@code rate} for {@code duration}, waits up to {@code drain}, and records the stretch alone. */
    private static Measured measure(PubSubSystem.Session session, Sink sink, byte[] payload, long[] sequence, int rate,
                                    Duration duration, int subscribers, Duration drain) throws Exception {
        long count = count(duration, rate);
        sink.recorder.getIntervalHistogram(); // reset
        sink.delivered.set(0);
        sink.high = sequence[0] + count;
        sink.low = sequence[0];
        Paced paced = paced(session, payload, sequence, count, TimeUnit.SECONDS.toNanos(1) / rate);
        drain(sink, paced.accepted * subscribers, drain);
        sink.low = Long.MAX_VALUE;
        sink.high = Long.MAX_VALUE;
        return new Measured(sink.recorder.getIntervalHistogram(), count, paced.accepted, sink.delivered.get(),
                paced.seconds);
    }

    /**
     * The highest rate the running session sustains: every update delivered to every subscriber
     * within the drain, none refused, and the publisher within 3% of its schedule. Each trial runs
     * on the same session after the previous one's deliveries have stopped arriving.
     */
    private static MaxRate searchMaxRate(PubSubSystem.Session session, Sink sink, byte[] payload, long[] sequence,
                                         int subscribers, Options options) throws Exception {
        RateSearch search = new RateSearch(SEARCH_START, SEARCH_CEILING, SEARCH_REFINEMENTS);
        Map<Integer, Measured> byRate = new HashMap<>();
        StringBuilder trials = new StringBuilder();
        for (OptionalInt next = search.next(); next.isPresent(); next = search.next()) {
            int rate = next.getAsInt();
            // Every trial from the same warm state: the previous one's queues gone, then a short ramp.
            ramp(session, payload, sequence, rate, options.trial().dividedBy(2));
            settle(sink);
            long refusedBefore = session.refusedLater();
            Measured m = measure(session, sink, payload, sequence, rate, options.trial(), subscribers, options.drain());
            settle(sink);
            long refused = m.sent - m.accepted + session.refusedLater() - refusedBefore;
            boolean sustained = refused == 0 && m.delivered >= m.sent * subscribers
                    && m.sent / m.sendSeconds >= 0.97 * rate;
            search.record(rate, sustained);
            byRate.put(rate, m);
            trials.append(trials.length() == 0 ? "" : " ").append(rate).append(sustained ? '+' : '-');
        }
        Measured best = byRate.get(search.best());
        return best == null ? new MaxRate(0, Double.NaN, Double.NaN, trials.toString())
                : new MaxRate(search.best(), micros(best.histogram.getValueAtPercentile(50)),
                micros(best.histogram.getValueAtPercentile(99)), trials.toString());
    }

    /** Waits until deliveries stop arriving (an overloaded trial leaves queues behind), at most 5 s. */
    private static void settle(Sink sink) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long last = sink.arrivals.get();
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            long now = sink.arrivals.get();
            if (now == last) {
                return;
            }
            last = now;
        }
    }

    private record Paced(long accepted, double seconds) {
    }

    /** Sends {@code count} updates on the fixed schedule; returns how many were accepted and how long it took. */
    private static Paced paced(PubSubSystem.Session session, byte[] payload, long[] sequence, long count,
                               long interval) throws Exception {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        long accepted = 0;
        for (long i = 0; i < count; i++) {
            long intended = start + i * interval;
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                if (wait > 60_000) {
                    LockSupport.parkNanos(wait - 50_000);
                } else {
                    Thread.onSpinWait();
                }
            }
            Payloads.stamp(payload, intended, sequence[0]++);
            if (session.publish(payload)) {
                accepted++;
            }
        }
        return new Paced(accepted, (System.nanoTime() - start) / 1e9);
    }

    /** Waits until {@code expected} deliveries arrived or {@code limit} passed. */
    private static void drain(Sink sink, long expected, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (sink.delivered.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    private static long count(Duration duration, int rate) {
        return Math.max(1, duration.toMillis() * rate / 1000);
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }

    /** Parses a duration such as {@code 10s}, {@code 500ms}, {@code 2m} or a bare number of seconds. */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            }
            if (t.endsWith("m")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60_000));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: " + text + " (say 10s, 500ms or 2m)");
        }
    }
}
