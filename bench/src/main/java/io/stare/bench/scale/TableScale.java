package io.stare.bench.scale;

import io.stare.p4.program.StareProgram;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * Part 1, {@code table}: the state forwarding table filled up to the whole 22-bit STATE_ID space in
 * the software switch, in both modes, and what that costs: heap per installed state and the
 * pipeline's time to process one publish.
 *
 * <p>For each mode and state count N: a pipeline sized for N states gets one subscription per
 * state, installed by a SUB-register frame through the pipeline (in embedded mode through the
 * local controller's decision and its writes, see {@link PipelineDriver}); the heap in use after
 * collections is read before and after (and, in embedded mode, once more without the local
 * controller, to split the switch's share from the controller's). Then publishes to uniformly
 * random installed states are processed one at a time, a warm-up unrecorded and then the measured
 * ones, each timed with {@link System#nanoTime()} around {@code process()} into an HdrHistogram.
 * The random states are drawn up front, so a large table is probed across its whole extent
 * rather than in a cache-warm corner.
 */
public final class TableScale {

    /** The largest state count: every 22-bit STATE_ID but one (2^22 - 1, as {@code ./stare bench rules} allows). */
    public static final int FULL_SPACE = (1 << 22) - 1;

    /** Bytes per state the heap check assumes: a generous bound on what embedded mode measured here. */
    private static final long EMBEDDED_BYTES_PER_STATE_BOUND = 320;
    private static final long REGISTER_BYTES_PER_STATE_BOUND = 16;
    private static final long FRAME_BYTES_BOUND = 160;
    private static final long SLACK_BYTES = 192L << 20;

    /**
     * What to run.
     *
     * @param counts the state counts, each 1..{@link #FULL_SPACE}
     * @param modes the switch modes
     * @param warmup publishes processed before measuring, per cell
     * @param measured publishes timed, per cell
     * @param payloadBytes each publish's payload
     * @param seed the random source of the publishes' states
     */
    public record Options(List<Integer> counts, List<StareProgram.Mode> modes, int warmup, int measured,
                          int payloadBytes, long seed) {
        public Options {
            counts = List.copyOf(counts);
            modes = List.copyOf(modes);
            for (int n : counts) {
                if (n < 1 || n > FULL_SPACE) {
                    throw new IllegalArgumentException("state count " + n + " is out of range 1.." + FULL_SPACE);
                }
            }
            if (warmup < 0 || measured < 1) {
                throw new IllegalArgumentException("warm-up must be >= 0 and measured publishes >= 1");
            }
        }

        /** 2^10, 2^14, 2^18, 2^20 and 2^22 - 1 states; 50,000 warm-up and 200,000 measured publishes. */
        public static Options full() {
            return new Options(List.of(1 << 10, 1 << 14, 1 << 18, 1 << 20, FULL_SPACE), bothModes(), 50_000, 200_000,
                    64, 1);
        }

        /** Up to 2^18 states; 20,000 warm-up and 100,000 measured publishes. */
        public static Options quick() {
            return new Options(List.of(1 << 10, 1 << 14, 1 << 18), bothModes(), 20_000, 100_000, 64, 1);
        }
    }

    static List<StareProgram.Mode> bothModes() {
        return List.of(StareProgram.Mode.REGISTER, StareProgram.Mode.EMBEDDED);
    }

    /**
     * One cell.
     *
     * @param mode the switch mode
     * @param states subscriptions asked for, one state each
     * @param installed subscriptions the switch holds afterwards
     * @param heapBytes heap the installed table took, switch and (embedded) local controller
     * @param switchBytes the switch's share (the pipeline's tables and groups)
     * @param controllerBytes the embedded local controller's share (0 in register mode)
     * @param installSeconds wall time of installing them all (heap readings excluded)
     * @param publish per-publish processing time, ns
     * @param misdelivered measured publishes that did not leave by exactly one port (0 when correct)
     * @param status {@code ok} or why the cell has no figures
     */
    public record Row(StareProgram.Mode mode, int states, int installed, long heapBytes, long switchBytes,
                      long controllerBytes, double installSeconds, Percentiles publish, long misdelivered,
                      String status) {

        /** Heap per installed state, switch and controller together. */
        public double bytesPerState() {
            return installed == 0 ? 0 : (double) heapBytes / installed;
        }
    }

    private TableScale() {
    }

    /** Heap the largest cell of {@code options} needs, by the bounds above. */
    static long heapNeeded(Options options) {
        long need = 0;
        for (int n : options.counts()) {
            for (StareProgram.Mode mode : options.modes()) {
                long perState = mode == StareProgram.Mode.EMBEDDED ? EMBEDDED_BYTES_PER_STATE_BOUND
                        : REGISTER_BYTES_PER_STATE_BOUND;
                need = Math.max(need, n * perState);
            }
        }
        return need + (long) (options.warmup() + options.measured()) * (FRAME_BYTES_BOUND + options.payloadBytes())
                + SLACK_BYTES;
    }

    /**
     * Runs every cell, printing a progress line per step to {@code progress}.
     *
     * @throws InsufficientHeapException before anything runs, if the JVM's heap is too small
     */
    public static List<Row> run(Options options, PrintWriter progress) {
        long need = heapNeeded(options);
        if (need > HeapMeter.max()) {
            throw new InsufficientHeapException("the table part (up to " + String.format(Locale.ROOT, "%,d",
                    options.counts().stream().mapToInt(Integer::intValue).max().orElse(0)) + " states)", need,
                    HeapMeter.max());
        }
        List<Row> rows = new ArrayList<>();
        for (int n : options.counts()) {
            for (StareProgram.Mode mode : options.modes()) {
                progress.printf(Locale.ROOT, "table: %s mode, %,d states: installing...%n", name(mode), n);
                progress.flush();
                Row row;
                try {
                    row = cell(mode, n, options);
                } catch (OutOfMemoryError e) {
                    row = new Row(mode, n, 0, 0, 0, 0, 0, Percentiles.NONE, 0, "failed: out of heap (" + e.getMessage() + ")");
                }
                rows.add(row);
                progress.printf(Locale.ROOT, "table: %s mode, %,d states: %s%n", name(mode), n, summary(row));
                progress.flush();
            }
        }
        return rows;
    }

    static String name(StareProgram.Mode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static String summary(Row row) {
        if (!row.status().equals("ok")) {
            return row.status();
        }
        return String.format(Locale.ROOT, "%,d installed in %.1f s, %.1f MB heap (%.1f B/state), publish p50 %d ns p99 %d ns",
                row.installed(), row.installSeconds(), row.heapBytes() / 1e6, row.bytesPerState(), row.publish().p50(),
                row.publish().p99());
    }

    private static Row cell(StareProgram.Mode mode, int states, Options options) {
        long base = HeapMeter.usedAfterGc();
        long started = System.nanoTime();
        PipelineDriver driver = PipelineDriver.of(mode, states);
        int installed = 0;
        for (int s = 0; s < states; s++) {
            // Frames are built one at a time and left as garbage, so they are never counted as table memory.
            if (driver.subscribe(s, ScaleFrames.subRegister(s))) {
                installed++;
            }
        }
        double installSeconds = (System.nanoTime() - started) / 1e9;
        long withController = HeapMeter.usedAfterGc();
        driver.dropController();
        long switchOnly = HeapMeter.usedAfterGc();

        Random random = new Random(options.seed() ^ states);
        byte[][] warm = publishes(options.warmup(), states, options.payloadBytes(), random);
        byte[][] timed = publishes(options.measured(), states, options.payloadBytes(), random);
        for (byte[] frame : warm) {
            driver.publish(frame);
        }
        Histogram histogram = Percentiles.histogram();
        long misdelivered = 0;
        for (byte[] frame : timed) {
            long t0 = System.nanoTime();
            int copies = driver.publish(frame);
            long t1 = System.nanoTime();
            histogram.recordValue(t1 - t0);
            if (copies != 1) {
                misdelivered++;
            }
        }
        HeapMeter.keep(driver);
        return new Row(mode, states, installed, Math.max(0, withController - base), Math.max(0, switchOnly - base),
                Math.max(0, withController - switchOnly), installSeconds, Percentiles.of(histogram), misdelivered, "ok");
    }

    private static byte[][] publishes(int count, int states, int payloadBytes, Random random) {
        byte[][] frames = new byte[count][];
        for (int i = 0; i < count; i++) {
            frames[i] = ScaleFrames.publish(random.nextInt(states), i & 0xffff, payloadBytes);
        }
        return frames;
    }
}
