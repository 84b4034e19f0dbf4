package io.stare.bench.latency;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    /** What to run. */
    public record Options(List<String> systems, List<Integer> subscribers, List<Integer> payloads, int rate,
                          Duration duration, Duration warmup, int repetitions, Duration drain) {
        public Options {
            systems = List.copyOf(systems);
            subscribers = List.copyOf(subscribers);
            payloads = List.copyOf(payloads);
            if (rate < 1 || rate > 1_000_000) {
                throw new IllegalArgumentException("rate " + rate + " is out of range 1..1000000");
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
            for (String system : systems) {
                if (!Systems.KNOWN.contains(system)) {
                    throw new IllegalArgumentException("unknown system " + system + "; known: "
                            + String.join(",", Systems.KNOWN));
                }
            }
        }

        /** The full scenario at the fixed rate. */
        public static Options full() {
            return new Options(Systems.KNOWN, List.of(1, 4, 16), List.of(64, 1024, 16384), 10_000,
                    Duration.ofSeconds(10), Duration.ofSeconds(3), 3, Duration.ofSeconds(2));
        }

        /** {@code --quick}: N 1 and 4, 64 B and 1 KB, 2,000 updates/s, 3 s measured once after 2 s of warm-up. */
        public static Options quick() {
            return new Options(Systems.KNOWN, List.of(1, 4), List.of(64, 1024), 2_000,
                    Duration.ofSeconds(3), Duration.ofSeconds(2), 1, Duration.ofSeconds(1));
        }
    }

    /**
     * One cell's figures; latencies in microseconds, rates per second. {@code status} is "ok",
     * "skipped: reason" or "failed: reason" (then the figures are NaN or 0).
     */
    public record Row(String system, int subscribers, int payload, int rate, String status,
                      double p50, double p99, double p999, double max,
                      long sent, long delivered, long lost, long refused, double sendRate, double throughput,
                      String firstRefusal) {

        public boolean ok() {
            return "ok".equals(status);
        }

        static Row notRun(String system, int subscribers, int payload, int rate, String status) {
            return new Row(system, subscribers, payload, rate, status, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, 0, 0, 0, 0, Double.NaN, Double.NaN, "");
        }
    }

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
        volatile long low = Long.MAX_VALUE;
        volatile long high = Long.MAX_VALUE;

        @Override
        public void onDelivery(int subscriber, byte[] buffer, int offset, int length, long receiveNanos) {
            if (length < Payloads.HEADER) {
                return;
            }
            long sequence = Payloads.sequence(buffer, offset);
            if (sequence >= low && sequence < high) {
                recorder.recordValue(Math.max(0, receiveNanos - Payloads.intendedNanos(buffer, offset)));
                delivered.incrementAndGet();
            }
        }
    }

    /** One system, subscriber count and payload: warm-up, then the repetitions, merged. */
    static Row runCell(PubSubSystem system, int subscribers, int payloadSize, Options options) throws Exception {
        Sink sink = new Sink();
        long interval = TimeUnit.SECONDS.toNanos(1) / options.rate();
        byte[] payload = Payloads.allocate(payloadSize);
        try (PubSubSystem.Session session = system.start(subscribers, payloadSize, sink)) {
            long[] sequence = {0};
            paced(session, payload, sequence, count(options.warmup(), options.rate()), interval);
            drain(sink, Long.MAX_VALUE, options.drain());
            Histogram merged = new Histogram(3);
            long sent = 0;
            long delivered = 0;
            long refused = 0;
            double sendSeconds = 0;
            long refusedBefore = session.refusedLater();
            for (int r = 0; r < options.repetitions(); r++) {
                long count = count(options.duration(), options.rate());
                sink.recorder.getIntervalHistogram(); // reset
                sink.delivered.set(0);
                sink.high = sequence[0] + count;
                sink.low = sequence[0];
                Paced paced = paced(session, payload, sequence, count, interval);
                drain(sink, paced.accepted * subscribers, options.drain());
                sink.low = Long.MAX_VALUE;
                sink.high = Long.MAX_VALUE;
                merged.add(sink.recorder.getIntervalHistogram());
                sent += count;
                delivered += sink.delivered.get();
                refused += count - paced.accepted;
                sendSeconds += paced.seconds;
            }
            refused += session.refusedLater() - refusedBefore;
            long expected = sent * subscribers;
            double measuredSeconds = options.duration().toNanos() / 1e9 * options.repetitions();
            return new Row(system.name(), subscribers, payloadSize, options.rate(), "ok",
                    micros(merged.getValueAtPercentile(50)), micros(merged.getValueAtPercentile(99)),
                    micros(merged.getValueAtPercentile(99.9)), micros(merged.getMaxValue()),
                    sent, delivered, Math.max(0, expected - delivered), refused,
                    sendSeconds > 0 ? sent / sendSeconds : Double.NaN,
                    delivered / (double) subscribers / measuredSeconds, session.firstRefusal());
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
