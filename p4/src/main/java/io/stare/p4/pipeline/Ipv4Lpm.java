package io.stare.p4.pipeline;

import io.stare.protocol.address.StareAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code ipv4_lpm} table for traffic that is not STARE: longest-prefix match on the IPv4
 * destination to {@code forward(port)} or {@code drop}. A miss drops the packet (counted as
 * {@link DropReason#NO_ROUTE} by the pipeline).
 *
 * <p>Entries follow P4Runtime's rules: a prefix's host bits must be zero, insert refuses an
 * existing prefix, modify and delete refuse an absent one. Not thread-safe, like its pipeline.
 */
public final class Ipv4Lpm {

    /** The table size the P4 programs declare. */
    public static final int DEFAULT_CAPACITY = 1024;

    /** What a matching entry does. */
    public sealed interface Action permits Forward, Drop {
    }

    /** Send the packet out of a front port. */
    public record Forward(int port) implements Action {
    }

    /** Drop the packet. */
    public record Drop() implements Action {
    }

    /**
     * An IPv4 prefix.
     *
     * @param address the network address as a 32-bit value
     * @param length the prefix length, 0..32
     */
    public record Prefix(int address, int length) {
        public Prefix {
            if (length < 0 || length > 32) {
                throw new IllegalArgumentException("prefix length " + length + " is out of range 0..32");
            }
        }

        /** The network mask of this prefix length. */
        public int mask() {
            return maskOf(length);
        }

        /** Whether {@code destination} falls in this prefix. */
        public boolean matches(int destination) {
            return (destination & mask()) == address;
        }

        @Override
        public String toString() {
            return StareAddress.dottedQuad(address) + "/" + length;
        }
    }

    private final int portCount;
    private final int capacity;
    // One exact-match map per prefix length; lookup walks from /32 down to /0.
    private final List<Map<Integer, Action>> byLength = new ArrayList<>(33);
    private int size;

    /** An empty table for a switch with {@code portCount} front ports, holding up to {@code capacity} entries. */
    public Ipv4Lpm(int portCount, int capacity) {
        PortMask.checkPortCount(portCount, PortMask.MAX_PORTS);
        if (capacity < 1) {
            throw new IllegalArgumentException("LPM capacity " + capacity + " is not positive");
        }
        this.portCount = portCount;
        this.capacity = capacity;
        for (int length = 0; length <= 32; length++) {
            byLength.add(new HashMap<>());
        }
    }

    /** Adds an entry; refused if the prefix is present, invalid, or the table is full. */
    public WriteResult insert(Prefix prefix, Action action) {
        WriteResult invalid = check(prefix, action);
        if (invalid != null) {
            return invalid;
        }
        Map<Integer, Action> entries = byLength.get(prefix.length());
        if (entries.containsKey(prefix.address())) {
            return WriteResult.refused(WriteResult.Reason.ALREADY_EXISTS, "route " + prefix + " exists");
        }
        if (size == capacity) {
            return WriteResult.refused(WriteResult.Reason.RESOURCE_EXHAUSTED,
                    "ipv4_lpm is full (" + capacity + " entries)");
        }
        entries.put(prefix.address(), action);
        size++;
        return WriteResult.DONE;
    }

    /** Changes the action of an entry; refused if the prefix is absent or invalid. */
    public WriteResult modify(Prefix prefix, Action action) {
        WriteResult invalid = check(prefix, action);
        if (invalid != null) {
            return invalid;
        }
        Map<Integer, Action> entries = byLength.get(prefix.length());
        if (!entries.containsKey(prefix.address())) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "route " + prefix + " does not exist");
        }
        entries.put(prefix.address(), action);
        return WriteResult.DONE;
    }

    /** Removes an entry; refused if the prefix is absent. */
    public WriteResult delete(Prefix prefix) {
        if (byLength.get(prefix.length()).remove(prefix.address()) == null) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "route " + prefix + " does not exist");
        }
        size--;
        return WriteResult.DONE;
    }

    /** The action of the longest prefix containing {@code destination}, or empty on a miss. */
    public Optional<Action> lookup(int destination) {
        for (int length = 32; length >= 0; length--) {
            Action action = byLength.get(length).get(destination & maskOf(length));
            if (action != null) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }

    /** Number of entries. */
    public int size() {
        return size;
    }

    /** Every entry, longest prefixes first. */
    public Map<Prefix, Action> entries() {
        Map<Prefix, Action> all = new LinkedHashMap<>();
        for (int length = 32; length >= 0; length--) {
            int l = length;
            byLength.get(length).entrySet().stream()
                    .sorted(Map.Entry.comparingByKey(Integer::compareUnsigned))
                    .forEach(e -> all.put(new Prefix(e.getKey(), l), e.getValue()));
        }
        return Collections.unmodifiableMap(all);
    }

    private WriteResult check(Prefix prefix, Action action) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(action, "action");
        if ((prefix.address() & ~prefix.mask()) != 0) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                    "route " + prefix + " has host bits set beyond its prefix length");
        }
        if (action instanceof Forward forward && (forward.port() < 0 || forward.port() >= portCount)) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                    "forward port " + forward.port() + " is not a front port (0.." + (portCount - 1) + ")");
        }
        return null;
    }

    private static int maskOf(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }
}
