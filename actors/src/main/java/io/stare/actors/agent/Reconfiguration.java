package io.stare.actors.agent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The bookkeeping of one State4 reconfiguration (plain class, no I/O; a {@link ReconfigurationRun}
 * drives the steps and feeds it what the switch says). The protocol, and why its result is exact:
 *
 * <ol>
 *   <li><b>Clone on.</b> {@code clone_flag := 1} on the running pipeline. From then on every change
 *       of a {@code state_ports} cell reaches the agent as a STATE_CHANGED or SUB_PROPAGATED
 *       packet-in ({@link #onClone}).</li>
 *   <li><b>Read</b> every cell ({@link #snapshot}). Each cell is read after the flag was set, so a
 *       change is either in the snapshot, or cloned, or both.</li>
 *   <li><b>Save and copy.</b> VERIFY_AND_SAVE the new program; install the base entities (groups,
 *       clone session, tree ports), {@link #copyPlan() the cells} and {@code clone_flag := 1} into
 *       the saved pipeline while the old one keeps forwarding.</li>
 *   <li><b>Replay</b> with look-ahead ({@link #replayPlan()}): the newest value of every cell changed
 *       since the previous write was issued; repeated while many changes arrive.</li>
 *   <li><b>COMMIT.</b> Changes the old pipeline made after the last replay was issued are not in
 *       the new pipeline, and the new pipeline may already have changed those cells on top of a
 *       stale value. They are repaired after the swap:</li>
 *   <li><b>Commit fence.</b> An in-band READ sent after COMMIT is answered by the new pipeline; its
 *       answer follows every packet-in of the old pipeline on the StreamChannel. Until it arrives
 *       every cloned cell is marked; then each marked cell is written in-band
 *       ({@link #startFences()}).</li>
 *   <li><b>Fence writes.</b> A WRITE's REGISTER_VALUES confirmation sits at the exact point of the
 *       packet-in stream where the switch applied it: if the value written still equals the agent's
 *       exact value at that point, the cell is right and every later change builds on it; if a
 *       change overtook the write, the cell is written again ({@link #onFenceConfirmed}).</li>
 *   <li><b>Clone off</b> once no fence is pending.</li>
 * </ol>
 *
 * <p><b>Requirement on the pipeline.</b> While {@code clone_flag} is set, every applied SUB message
 * must be cloned, also one that leaves its cell unchanged. Between COMMIT and a cell's fence the new
 * pipeline works on a stale value; a SUB that changes nothing there may be a real change (the true
 * value had the other state of that bit), and unless it is reported the fence overwrites it. Before
 * COMMIT and after the fences unchanged cells are harmless either way.
 *
 * <p>Steps 6 and 7 rely on the packet-in stream following the switch's processing order. The
 * software switch hands a packet-in over outside its pipeline lock, so a packet-in may be overtaken
 * by one the switch produced just after it; a <em>settle time</em> bounds that: a cell changed
 * within it after the commit fence or after its fence's confirmation is fenced again, and the
 * flag is cleared only after a settle time without such a change.
 *
 * <p>The exact value of a cell is its snapshot value overlaid with the last cloned operation on
 * each port bit: a SUB message from port {@code p} only sets or clears bit {@code p}, so changes on
 * different bits commute and the order that matters (per port) is the order of one port's packets.
 * This also makes the result independent of whether a change was read, cloned, or both.
 *
 * <p>Where register writes cannot reach a saved pipeline (in-band access, BMv2), steps 3 and 4 write
 * no cells: every cell is written after COMMIT by the fences, and the new pipeline's flag is set
 * in-band right after COMMIT (changes between COMMIT and that packet-out are not cloned: BMv2 only).
 */
public final class Reconfiguration {

    /** How state is carried over. */
    public enum Strategy {
        /** Clone changes during the copy and replay them: no change is lost. */
        STATE4,
        /**
         * Read, push, write back, commit, with no cloning: loses the changes made in between. Only
         * for tests and comparison; never chosen automatically.
         */
        NAIVE_UNSAFE
    }

    /** Per cell, the last cloned operation on each port bit. */
    private static final class Overlay {
        long set;
        long cleared;
    }

    private final Strategy strategy;
    private final int fromCapacity;
    private final int toCapacity;
    private final long startNanos;
    private long[] snapshot;
    private final Map<Integer, Overlay> overlay = new HashMap<>();
    private final SortedSet<Integer> dirty = new TreeSet<>();
    private final Deque<Integer> fenceQueue = new ArrayDeque<>();
    private final Map<Integer, Long> fencesInFlight = new HashMap<>();
    /** In-flight fence writes whose cell changed after they were planned: written again. */
    private final java.util.Set<Integer> touched = new java.util.HashSet<>();
    /** Confirmed fence writes, by confirmation time, not yet older than the settle time. */
    private final Map<Integer, Long> settling = new HashMap<>();
    private final long settleNanos;
    private long commitFenceNanos;
    private boolean fencing;
    private int cellsCopied;
    private long cloned;
    private long applied;
    private long fenceRewrites;

    /**
     * @param settleNanos how late a packet-in may arrive after one the switch emitted after it (the
     *     software switch hands packet-ins to the StreamChannel outside its pipeline lock, so two
     *     threads' packet-ins may swap): a cell changed within this time of a fence is fenced again
     */
    Reconfiguration(Strategy strategy, int fromCapacity, int toCapacity, long startNanos, long settleNanos) {
        this.settleNanos = settleNanos;
        this.strategy = strategy;
        this.fromCapacity = fromCapacity;
        this.toCapacity = toCapacity;
        this.startNanos = startNanos;
    }

    Strategy strategy() {
        return strategy;
    }

    int toCapacity() {
        return toCapacity;
    }

    /** A cloned change: a SUB message from {@code port} set ({@code register}) or cleared its bit. */
    void onClone(int index, int port, boolean register, long nowNanos) {
        if (strategy != Strategy.STATE4) {
            return; // the naive way does not look at changes
        }
        cloned++;
        Overlay o = overlay.computeIfAbsent(index, i -> new Overlay());
        long bit = 1L << port;
        if (register) {
            o.set |= bit;
            o.cleared &= ~bit;
        } else {
            o.cleared |= bit;
            o.set &= ~bit;
        }
        dirty.add(index);
        if (fencing) {
            if (fencesInFlight.containsKey(index)) {
                touched.add(index);
            } else if (settling.remove(index) != null || nowNanos - commitFenceNanos < settleNanos) {
                // Possibly a change that overtook the fence (or COMMIT) but reached the agent late.
                if (!fenceQueue.contains(index)) {
                    fenceQueue.add(index);
                }
            }
        }
    }

    /** The cells read from the old pipeline, from index 0. */
    void snapshot(long[] cells) {
        snapshot = cells.clone();
    }

    /** The exact value of a cell: the snapshot's, overlaid with the cloned changes. */
    long value(int index) {
        long base = snapshot != null && index < snapshot.length ? snapshot[index] : 0;
        Overlay o = overlay.get(index);
        return o == null ? base : (base | o.set) & ~o.cleared;
    }

    /**
     * Every non-zero cell, for a fresh pipeline (whose cells are 0). Marks nothing dirty: changes
     * cloned from now on are replayed.
     */
    SortedMap<Integer, Long> copyPlan() {
        SortedMap<Integer, Long> plan = values();
        cellsCopied = plan.size();
        dirty.clear();
        return plan;
    }

    /**
     * In-band access cannot write the saved pipeline: every non-zero cell is written after COMMIT,
     * through the fences.
     */
    void copyAfterCommit() {
        SortedMap<Integer, Long> cells = values();
        cellsCopied = cells.size();
        dirty.addAll(cells.keySet());
    }

    /** Look-ahead: the newest value of each cell changed since the last plan (zeros included). */
    SortedMap<Integer, Long> replayPlan() {
        SortedMap<Integer, Long> plan = new TreeMap<>();
        dirty.forEach(index -> plan.put(index, value(index)));
        applied += plan.size();
        dirty.clear();
        return plan;
    }

    /** Cells changed since the last plan. */
    int pending() {
        return dirty.size();
    }

    /** The commit fence arrived: every cell changed since the last replay is to be written again. */
    void startFences(long nowNanos) {
        fencing = true;
        commitFenceNanos = nowNanos;
        fenceQueue.addAll(dirty);
        dirty.clear();
    }

    /**
     * The next fence write to send, if the window allows one: its index and exact value now.
     */
    Optional<Map.Entry<Integer, Long>> nextFence(int window) {
        if (fenceQueue.isEmpty() || fencesInFlight.size() >= window) {
            return Optional.empty();
        }
        int index = fenceQueue.poll();
        long value = value(index);
        fencesInFlight.put(index, value);
        if (overlay.containsKey(index)) {
            applied++; // not for a plain copy (in-band access copies through the fences)
        }
        return Optional.of(Map.entry(index, value));
    }

    /**
     * A fence write's confirmation, at its place in the packet-in stream.
     *
     * @return whether it was a fence write of this reconfiguration
     */
    boolean onFenceConfirmed(int index, long written, long nowNanos) {
        Long expected = fencesInFlight.get(index);
        if (expected == null || expected != written) {
            return false;
        }
        fencesInFlight.remove(index);
        if (touched.remove(index) || value(index) != written) {
            // A change the write may have overwritten was cloned after the write was planned.
            fenceRewrites++;
            fenceQueue.add(index);
        } else {
            settling.put(index, nowNanos);
        }
        return true;
    }

    boolean fencing() {
        return fencing;
    }

    /** Whether every fence write is confirmed right and no late packet-in can change that any more. */
    boolean fencesDone(long nowNanos) {
        settling.values().removeIf(confirmed -> nowNanos - confirmed >= settleNanos);
        return fencing && fenceQueue.isEmpty() && fencesInFlight.isEmpty() && settling.isEmpty()
                && nowNanos - commitFenceNanos >= settleNanos;
    }

    /** The exact non-zero cells: what the agent knows of the switch afterwards. */
    SortedMap<Integer, Long> values() {
        SortedMap<Integer, Long> cells = new TreeMap<>();
        if (snapshot != null) {
            for (int i = 0; i < snapshot.length; i++) {
                if (snapshot[i] != 0) {
                    cells.put(i, snapshot[i]);
                }
            }
        }
        for (int index : overlay.keySet()) {
            long v = value(index);
            if (v == 0) {
                cells.remove(index);
            } else {
                cells.put(index, v);
            }
        }
        return cells;
    }

    /** The report, with the measured COMMIT time. */
    ReconfigurationReport report(RegisterAccess.Kind access, Duration commitTime, long nowNanos,
                                 Optional<String> failure) {
        return new ReconfigurationReport(strategy, access, fromCapacity, toCapacity, cellsCopied, cloned, applied,
                fenceRewrites, commitTime, Duration.ofNanos(nowNanos - startNanos), failure);
    }
}
