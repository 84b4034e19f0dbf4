package io.stare.p4.pipeline;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The packet replication engine: multicast groups (id to an ordered list of replicas) and clone
 * sessions (id to a port), written with P4Runtime's insert / modify / delete semantics. Refusals
 * are returned as {@link WriteResult} values and leave the engine unchanged.
 *
 * <p>Group ids are 1..{@value #MAX_GROUP_ID} because v1model's {@code mcast_grp} is 16 bits and 0
 * means "no multicast"; replicas go to front ports only. Not thread-safe, like its pipeline.
 */
public final class ReplicationEngine {

    /** The largest multicast group id ({@code standard_metadata.mcast_grp} is {@code bit<16>}). */
    public static final int MAX_GROUP_ID = 0xffff;
    /** The largest replica instance ({@code egress_rid} is {@code bit<16>}). */
    public static final int MAX_INSTANCE = 0xffff;
    /** The most ports {@link #installPortMaskGroups(int)} can cover: 2^16 - 1 groups. */
    public static final int MAX_MASK_GROUP_PORTS = 16;

    /**
     * One copy a group makes.
     *
     * @param port the front port the copy leaves by
     * @param instance the replica id, distinguishing several copies to one port
     */
    public record Replica(int port, int instance) {
    }

    /**
     * What the pipelines' zero-allocation fast path needs of one group, computed when the group is
     * written so that forwarding a frame reads one object and iterates over nothing.
     *
     * @param ports the mask of the ports the group's replicas go to
     * @param ascending whether the replicas' ports strictly ascend (so the group sends one copy per
     *     port of {@code ports}, in port order)
     * @param ascendingWithout bit {@code p} set when the replicas left after removing those for port
     *     {@code p} strictly ascend (the embedded pipeline's egress prunes the ingress port's copies)
     */
    record Fanout(long ports, boolean ascending, long ascendingWithout) {

        /** A missing group, or one without replicas: sends nothing. */
        static final Fanout NONE = new Fanout(0, true, -1L);

        /** The fanout of a group with these replicas on a switch of {@code portCount} ports. */
        static Fanout of(List<Replica> replicas, int portCount) {
            long ports = 0;
            for (Replica replica : replicas) {
                ports |= 1L << replica.port();
            }
            long ascendingWithout = 0;
            for (int pruned = 0; pruned < portCount; pruned++) {
                if (ascendingPorts(replicas, pruned)) {
                    ascendingWithout |= 1L << pruned;
                }
            }
            return new Fanout(ports, ascendingPorts(replicas, -1), ascendingWithout);
        }

        /** Whether the replicas left after removing port {@code port}'s strictly ascend in port. */
        boolean isAscendingWithout(int port) {
            return (ascendingWithout >>> port & 1) != 0;
        }

        private static boolean ascendingPorts(List<Replica> replicas, int pruned) {
            int last = -1;
            for (Replica replica : replicas) {
                if (replica.port() == pruned) {
                    continue;
                }
                if (replica.port() <= last) {
                    return false;
                }
                last = replica.port();
            }
            return true;
        }
    }

    // Fanouts by group id in pages of 256, made on the first write to a page: a lookup without
    // boxing, and memory for the ids in use only (the mask groups of 8 ports fill one page).
    private static final int FANOUT_PAGE_BITS = 8;
    private static final int FANOUT_PAGE_MASK = (1 << FANOUT_PAGE_BITS) - 1;

    private final int portCount;
    private final Map<Integer, List<Replica>> groups = new HashMap<>();
    private final Map<Integer, Integer> cloneSessions = new HashMap<>();
    private final Fanout[][] fanouts = new Fanout[(MAX_GROUP_ID >>> FANOUT_PAGE_BITS) + 1][];

    /** An empty engine for a switch with {@code portCount} front ports. */
    public ReplicationEngine(int portCount) {
        PortMask.checkPortCount(portCount, PortMask.MAX_PORTS);
        this.portCount = portCount;
    }

    /** The replicas of mask {@code mask}, one per port, ascending, instance 0. */
    public static List<Replica> replicasOf(long mask) {
        return PortMask.ports(mask).stream().map(port -> new Replica(port, 0)).toList();
    }

    /** Creates group {@code id}; refused if it exists or its id or replicas are invalid. */
    public WriteResult insertGroup(int id, List<Replica> replicas) {
        WriteResult invalid = checkGroup(id, replicas);
        if (invalid != null) {
            return invalid;
        }
        if (groups.containsKey(id)) {
            return WriteResult.refused(WriteResult.Reason.ALREADY_EXISTS, "multicast group " + id + " exists");
        }
        putGroup(id, List.copyOf(replicas));
        return WriteResult.DONE;
    }

    /** Replaces the replicas of group {@code id}; refused if it does not exist. */
    public WriteResult modifyGroup(int id, List<Replica> replicas) {
        WriteResult invalid = checkGroup(id, replicas);
        if (invalid != null) {
            return invalid;
        }
        if (!groups.containsKey(id)) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "multicast group " + id + " does not exist");
        }
        putGroup(id, List.copyOf(replicas));
        return WriteResult.DONE;
    }

    /** Removes group {@code id}; refused if it does not exist. */
    public WriteResult deleteGroup(int id) {
        if (groups.remove(id) == null) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "multicast group " + id + " does not exist");
        }
        fanouts[id >>> FANOUT_PAGE_BITS][id & FANOUT_PAGE_MASK] = null;
        return WriteResult.DONE;
    }

    /**
     * The replicas group {@code id} makes, in order; empty when the group does not exist (a packet
     * sent to a missing group goes nowhere, as on BMv2).
     */
    public List<Replica> replicate(int id) {
        return groups.getOrDefault(id, List.of());
    }

    /**
     * The fast path's view of group {@code id}: {@link Fanout#NONE} when it does not exist (or the
     * id is out of range). Allocates nothing.
     */
    Fanout fanout(int id) {
        if (id < 1 || id > MAX_GROUP_ID) {
            return Fanout.NONE;
        }
        Fanout[] page = fanouts[id >>> FANOUT_PAGE_BITS];
        Fanout fanout = page == null ? null : page[id & FANOUT_PAGE_MASK];
        return fanout == null ? Fanout.NONE : fanout;
    }

    /** Whether group {@code id} exists. */
    public boolean hasGroup(int id) {
        return groups.containsKey(id);
    }

    /** Every group, by id. */
    public SortedMap<Integer, List<Replica>> groups() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(groups));
    }

    /**
     * Installs the register pipeline's groups: group {@code g} replicates to the ports of mask
     * {@code g}, for every {@code g} in 1..2^ports - 1 (255 groups for 8 ports). All or nothing:
     * refused if any of them exists already.
     */
    public WriteResult installPortMaskGroups(int ports) {
        if (ports < 1 || ports > Math.min(portCount, MAX_MASK_GROUP_PORTS)) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT, "cannot install mask groups for "
                    + ports + " ports (1.." + Math.min(portCount, MAX_MASK_GROUP_PORTS) + ")");
        }
        int last = (1 << ports) - 1;
        for (int g = 1; g <= last; g++) {
            if (groups.containsKey(g)) {
                return WriteResult.refused(WriteResult.Reason.ALREADY_EXISTS, "multicast group " + g + " exists");
            }
        }
        for (int g = 1; g <= last; g++) {
            putGroup(g, replicasOf(g));
        }
        return WriteResult.DONE;
    }

    /** Creates clone session {@code id} to {@code port} (a front port or the CPU port). */
    public WriteResult insertCloneSession(int id, int port) {
        WriteResult invalid = checkCloneSession(id, port);
        if (invalid != null) {
            return invalid;
        }
        if (cloneSessions.containsKey(id)) {
            return WriteResult.refused(WriteResult.Reason.ALREADY_EXISTS, "clone session " + id + " exists");
        }
        cloneSessions.put(id, port);
        return WriteResult.DONE;
    }

    /** Points clone session {@code id} at another port; refused if it does not exist. */
    public WriteResult modifyCloneSession(int id, int port) {
        WriteResult invalid = checkCloneSession(id, port);
        if (invalid != null) {
            return invalid;
        }
        if (!cloneSessions.containsKey(id)) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "clone session " + id + " does not exist");
        }
        cloneSessions.put(id, port);
        return WriteResult.DONE;
    }

    /** Removes clone session {@code id}; refused if it does not exist. */
    public WriteResult deleteCloneSession(int id) {
        if (cloneSessions.remove(id) == null) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "clone session " + id + " does not exist");
        }
        return WriteResult.DONE;
    }

    /** The port of clone session {@code id}, if it exists. */
    public OptionalInt cloneSession(int id) {
        Integer port = cloneSessions.get(id);
        return port == null ? OptionalInt.empty() : OptionalInt.of(port);
    }

    /** Every clone session, by id. */
    public SortedMap<Integer, Integer> cloneSessions() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(cloneSessions));
    }

    /** Every group write goes through here, so the fanout can never describe an older group. */
    private void putGroup(int id, List<Replica> replicas) {
        groups.put(id, replicas);
        int page = id >>> FANOUT_PAGE_BITS;
        if (fanouts[page] == null) {
            fanouts[page] = new Fanout[FANOUT_PAGE_MASK + 1];
        }
        fanouts[page][id & FANOUT_PAGE_MASK] = Fanout.of(replicas, portCount);
    }

    private WriteResult checkGroup(int id, List<Replica> replicas) {
        if (id < 1 || id > MAX_GROUP_ID) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                    "multicast group id " + id + " is out of range 1.." + MAX_GROUP_ID);
        }
        Set<Replica> seen = new HashSet<>();
        for (Replica replica : replicas) {
            if (replica.port() < 0 || replica.port() >= portCount) {
                return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                        "replica port " + replica.port() + " is not a front port (0.." + (portCount - 1) + ")");
            }
            if (replica.instance() < 0 || replica.instance() > MAX_INSTANCE) {
                return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                        "replica instance " + replica.instance() + " is out of range 0.." + MAX_INSTANCE);
            }
            if (!seen.add(replica)) {
                return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                        "replica (port " + replica.port() + ", instance " + replica.instance() + ") appears twice");
            }
        }
        return null;
    }

    private WriteResult checkCloneSession(int id, int port) {
        if (id < 1) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT, "clone session id " + id + " is not positive");
        }
        if ((port < 0 || port >= portCount) && port != CpuHeaders.CPU_PORT) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT, "clone session port " + port
                    + " is neither a front port (0.." + (portCount - 1) + ") nor the CPU port " + CpuHeaders.CPU_PORT);
        }
        return null;
    }
}
