package io.stare.bench.scale;

import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ./stare bench scale}: runs the chosen parts in order (table, subs, recovery) and returns
 * their rows; each part prints its own progress lines. A part not chosen has no rows.
 */
public final class ScaleBenchmark {

    /**
     * What to run.
     *
     * @param parts the parts
     * @param table part 1's settings
     * @param subsPipeline part 2's pipeline-only settings
     * @param subsFabric part 2's end-to-end settings
     * @param recovery part 3's settings
     */
    public record Options(Set<ScalePart> parts, TableScale.Options table, SubscriptionRate.Options subsPipeline,
                          FabricSubscriptions.Options subsFabric, RecoveryLatency.Options recovery) {
        public Options {
            parts = parts.isEmpty() ? EnumSet.noneOf(ScalePart.class) : EnumSet.copyOf(parts);
        }

        /** Every part at full size. */
        public static Options full(Set<ScalePart> parts) {
            return new Options(parts, TableScale.Options.full(), SubscriptionRate.Options.full(),
                    FabricSubscriptions.Options.full(), RecoveryLatency.Options.full());
        }

        /** Every part at its quick size. */
        public static Options quick(Set<ScalePart> parts) {
            return new Options(parts, TableScale.Options.quick(), SubscriptionRate.Options.quick(),
                    FabricSubscriptions.Options.quick(), RecoveryLatency.Options.quick());
        }
    }

    /** Every part's rows (empty for a part not run). */
    public record Results(List<TableScale.Row> table, List<SubscriptionRate.Row> subsPipeline,
                          List<FabricSubscriptions.Row> subsFabric, List<RecoveryLatency.Row> recovery) {
    }

    private ScaleBenchmark() {
    }

    /**
     * Runs the parts.
     *
     * @throws InsufficientHeapException before a memory-hungry part starts, if the heap is too small
     */
    public static Results run(Options options, PrintWriter progress) {
        Set<ScalePart> parts = options.parts();
        List<TableScale.Row> table = parts.contains(ScalePart.TABLE) ? TableScale.run(options.table(), progress) : List.of();
        List<SubscriptionRate.Row> pipeline = List.of();
        List<FabricSubscriptions.Row> fabric = List.of();
        if (parts.contains(ScalePart.SUBS)) {
            pipeline = SubscriptionRate.run(options.subsPipeline(), progress);
            fabric = FabricSubscriptions.run(options.subsFabric(), progress);
        }
        List<RecoveryLatency.Row> recovery = parts.contains(ScalePart.RECOVERY)
                ? RecoveryLatency.run(options.recovery(), progress) : List.of();
        return new Results(table, pipeline, fabric, recovery);
    }

    /**
     * Checks the heap for every chosen memory-hungry part before anything runs, so a long run
     * cannot fail at its last part.
     *
     * @throws InsufficientHeapException if a part would not fit
     */
    public static void checkHeap(Options options) {
        if (options.parts().contains(ScalePart.TABLE)) {
            long need = TableScale.heapNeeded(options.table());
            if (need > HeapMeter.max()) {
                throw new InsufficientHeapException("the table part", need, HeapMeter.max());
            }
        }
        if (options.parts().contains(ScalePart.SUBS)) {
            long need = SubscriptionRate.heapNeeded(options.subsPipeline());
            if (need > HeapMeter.max()) {
                throw new InsufficientHeapException("the subs part", need, HeapMeter.max());
            }
        }
    }
}
