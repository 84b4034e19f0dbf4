package io.stare.p4.pipeline;

import io.stare.protocol.address.StareAddress;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The register pipeline's {@code register<bit<P>>(STATE_CAPACITY) state_ports}: per state, the mask
 * of the ports behind which subscribers live. Every entry starts at 0.
 *
 * <p>Not thread-safe: the pipeline that owns it is driven by one caller at a time.
 */
public final class StateForwardingTable {

    /** The capacity the P4 program compiles with by default ({@code STATE_CAPACITY}). */
    public static final int DEFAULT_CAPACITY = 2048;

    private final int portCount;
    // Stored as 32-bit words, as bit<P> with P <= 32 fits; read back unsigned.
    private final int[] masks;

    /**
     * @param capacity number of entries, 1..2^22 (one per possible STATE_ID at most)
     * @param portCount P, the width of each entry in bits, 1..{@link PortMask#MAX_PORTS}
     */
    public StateForwardingTable(int capacity, int portCount) {
        if (capacity < 1 || capacity > StareAddress.MAX_STATE_ID + 1) {
            throw new IllegalArgumentException(
                    "state capacity " + capacity + " is out of range 1.." + (StareAddress.MAX_STATE_ID + 1));
        }
        PortMask.checkPortCount(portCount, PortMask.MAX_PORTS);
        this.portCount = portCount;
        this.masks = new int[capacity];
    }

    /** Number of entries; STATE_IDs at or above it are out of range. */
    public int capacity() {
        return masks.length;
    }

    /** P, the number of front ports an entry describes. */
    public int portCount() {
        return portCount;
    }

    /** Whether {@code index} names an entry. */
    public boolean inRange(long index) {
        return index >= 0 && index < masks.length;
    }

    /** The mask of entry {@code index}. */
    public long read(int index) {
        checkIndex(index);
        return Integer.toUnsignedLong(masks[index]);
    }

    /**
     * Sets entry {@code index} to {@code mask}.
     *
     * @throws IllegalArgumentException if the index is out of range or the mask has bits beyond P
     */
    public void write(int index, long mask) {
        checkIndex(index);
        PortMask.checkMask(mask, portCount, "mask");
        masks[index] = (int) mask;
    }

    /** A copy of every entry, index by index. */
    public long[] snapshot() {
        long[] copy = new long[masks.length];
        for (int i = 0; i < masks.length; i++) {
            copy[i] = Integer.toUnsignedLong(masks[i]);
        }
        return copy;
    }

    /** The non-zero entries, by index: a compact view for tests and diagnostics. */
    public SortedMap<Integer, Long> nonZeroEntries() {
        SortedMap<Integer, Long> entries = new TreeMap<>();
        for (int i = 0; i < masks.length; i++) {
            if (masks[i] != 0) {
                entries.put(i, Integer.toUnsignedLong(masks[i]));
            }
        }
        return Collections.unmodifiableSortedMap(entries);
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= masks.length) {
            throw new IllegalArgumentException("state index " + index + " is out of range 0.." + (masks.length - 1));
        }
    }
}
