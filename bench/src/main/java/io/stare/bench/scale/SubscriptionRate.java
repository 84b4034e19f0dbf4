package io.stare.bench.scale;

import io.stare.p4.program.StareProgram;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Part 2a, {@code subs} in the pipeline alone: how many SUB-register frames per second one
 * software switch pipeline turns into installed subscriptions, one new state each, in both modes.
 * In register mode that is the pipeline's own register write (plus its SUB-ack and propagation
 * copies); in embedded mode the punt, the local controller's decision and applying its group and
 * table writes to the pipeline, i.e. the embedded mode's rule installation cost without the
 * P4Runtime round trip (which {@link FabricSubscriptions} adds).
 *
 * <p>A warm-up install on a throw-away pipeline comes first (JIT); the frames are built before
 * the clock starts; each install is timed with {@link System#nanoTime()} into an HdrHistogram, and
 * the rate is installs over the loop's wall time.
 */
public final class SubscriptionRate {

    /**
     * What to run.
     *
     * @param subscriptions subscriptions per mode, one state each
     * @param warmup installs on a throw-away pipeline first
     * @param modes the switch modes
     */
    public record Options(int subscriptions, int warmup, List<StareProgram.Mode> modes) {
        public Options {
            modes = List.copyOf(modes);
            if (subscriptions < 1 || subscriptions > TableScale.FULL_SPACE || warmup < 0) {
                throw new IllegalArgumentException("subscriptions must be 1.." + TableScale.FULL_SPACE
                        + " and warm-up >= 0");
            }
        }

        /** 2^20 subscriptions per mode after 100,000 warm-up installs. */
        public static Options full() {
            return new Options(1 << 20, 100_000, TableScale.bothModes());
        }

        /** 2^16 subscriptions per mode after 20,000 warm-up installs. */
        public static Options quick() {
            return new Options(1 << 16, 20_000, TableScale.bothModes());
        }
    }

    /**
     * One mode's figures.
     *
     * @param mode the switch mode
     * @param requested subscriptions asked for
     * @param installed subscriptions the switch forwards afterwards
     * @param seconds the install loop's wall time
     * @param perSubscription time per install, ns
     */
    public record Row(StareProgram.Mode mode, int requested, int installed, double seconds, Percentiles perSubscription) {

        /** Installs per second. */
        public double perSecond() {
            return seconds <= 0 ? 0 : installed / seconds;
        }
    }

    private static final long BYTES_PER_SUBSCRIPTION_BOUND = 320 + 160;

    private SubscriptionRate() {
    }

    /** Heap the run needs, by a generous bound per subscription (frame and table entry). */
    static long heapNeeded(Options options) {
        return (long) Math.max(options.subscriptions(), options.warmup()) * BYTES_PER_SUBSCRIPTION_BOUND + (128L << 20);
    }

    /** Runs both modes, printing progress lines. */
    public static List<Row> run(Options options, PrintWriter progress) {
        long need = heapNeeded(options);
        if (need > HeapMeter.max()) {
            throw new InsufficientHeapException("the subs part (" + options.subscriptions() + " subscriptions)", need,
                    HeapMeter.max());
        }
        List<Row> rows = new ArrayList<>();
        for (StareProgram.Mode mode : options.modes()) {
            progress.printf(Locale.ROOT, "subs (pipeline): %s mode, %,d subscriptions...%n", TableScale.name(mode),
                    options.subscriptions());
            progress.flush();
            Row row = one(mode, options);
            rows.add(row);
            progress.printf(Locale.ROOT, "subs (pipeline): %s mode: %,d installed, %,.0f subs/s, p50 %d ns p99 %d ns%n",
                    TableScale.name(mode), row.installed(), row.perSecond(), row.perSubscription().p50(),
                    row.perSubscription().p99());
            progress.flush();
        }
        return rows;
    }

    private static Row one(StareProgram.Mode mode, Options options) {
        if (options.warmup() > 0) {
            PipelineDriver warm = PipelineDriver.of(mode, options.warmup());
            for (int s = 0; s < options.warmup(); s++) {
                warm.subscribe(s, ScaleFrames.subRegister(s));
            }
        }
        int n = options.subscriptions();
        byte[][] frames = new byte[n][];
        for (int s = 0; s < n; s++) {
            frames[s] = ScaleFrames.subRegister(s);
        }
        PipelineDriver driver = PipelineDriver.of(mode, n);
        Histogram histogram = Percentiles.histogram();
        int installed = 0;
        long started = System.nanoTime();
        for (int s = 0; s < n; s++) {
            long t0 = System.nanoTime();
            boolean ok = driver.subscribe(s, frames[s]);
            histogram.recordValue(System.nanoTime() - t0);
            if (ok) {
                installed++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Row(mode, n, installed, seconds, Percentiles.of(histogram));
    }
}
