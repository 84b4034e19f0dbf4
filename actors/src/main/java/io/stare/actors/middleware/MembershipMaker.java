package io.stare.actors.middleware;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The paper's MEMBERSHIP-MAKER: which IP multicast groups this server must be a member of, spread
 * over several sockets because the OS limits the memberships of one socket (Linux
 * {@code net.ipv4.igmp_max_memberships}, 20 by default). Pure bookkeeping, no sockets: every call
 * returns the {@link Op operations} the caller performs, in order.
 *
 * <p>A joined state needs two groups, kept on the same socket: its Publish group
 * ({@code 239.0|state}) and its SUB-ack group ({@code 239.64|state}). The socket holding them is
 * the state's <em>owner</em> ({@link #ownerOf}); a transport accepts a state's datagrams only on its
 * owner, which de-duplicates them on hosts where every socket bound to the port receives every
 * joined group (Linux's {@code IP_MULTICAST_ALL}).
 *
 * <p>Rules:
 * <ul>
 *   <li>Slot 0 is open for the maker's whole life ({@link #start()}), so that the first join needs no
 *       socket to be bound first.</li>
 *   <li>{@link #join} is idempotent: a state already joined yields no operation. A new state goes to
 *       the lowest open slot with room for both groups; only when every open slot is full is a new
 *       socket opened, at the lowest free slot number (freed numbers are reused).</li>
 *   <li>{@link #leave} of a state not joined is a no-op; otherwise both groups are left, and a slot
 *       other than 0 that holds no group any more is closed.</li>
 * </ul>
 * Not thread-safe: the caller serialises calls.
 */
public final class MembershipMaker {

    /** Groups one joined state takes: its Publish group and its SUB-ack group. */
    public static final int GROUPS_PER_STATE = 2;
    /** Linux's default {@code net.ipv4.igmp_max_memberships}, used when the OS value cannot be read. */
    public static final int DEFAULT_MAX_MEMBERSHIPS = 20;
    /** Where Linux publishes the per-socket limit. */
    public static final Path OS_LIMIT = Path.of("/proc/sys/net/ipv4/igmp_max_memberships");

    /** One thing to do to the sockets; slots are small integers naming one socket each. */
    public sealed interface Op permits OpenSocket, CloseSocket, JoinGroup, LeaveGroup {
        /** The socket slot the operation concerns. */
        int slot();
    }

    /** Open (bind) a socket for {@code slot}. */
    public record OpenSocket(int slot) implements Op {
    }

    /** Close the socket of {@code slot}; it holds no group any more. */
    public record CloseSocket(int slot) implements Op {
    }

    /** Join {@code group} on the socket of {@code slot}. */
    public record JoinGroup(int slot, StareAddress group) implements Op {
    }

    /** Leave {@code group} on the socket of {@code slot}. */
    public record LeaveGroup(int slot, StareAddress group) implements Op {
    }

    private final int maxMembershipsPerSocket;
    private final int statesPerSocket;
    /** Open slots and the states each holds. */
    private final SortedMap<Integer, Set<Integer>> slots = new TreeMap<>();
    private final Map<Integer, Integer> owner = new HashMap<>();
    private boolean started;

    /**
     * @param maxMembershipsPerSocket how many groups one socket may join, at least
     *     {@value #GROUPS_PER_STATE}; an odd limit leaves one membership unused
     */
    public MembershipMaker(int maxMembershipsPerSocket) {
        if (maxMembershipsPerSocket < GROUPS_PER_STATE) {
            throw new IllegalArgumentException("a socket must allow at least " + GROUPS_PER_STATE
                    + " multicast memberships (one state's groups), got " + maxMembershipsPerSocket);
        }
        this.maxMembershipsPerSocket = maxMembershipsPerSocket;
        this.statesPerSocket = maxMembershipsPerSocket / GROUPS_PER_STATE;
    }

    /**
     * The OS limit on memberships per socket: the number in {@code file} (normally {@link #OS_LIMIT}),
     * or {@code fallback} when it is missing or unreadable.
     */
    public static int osLimit(Path file, int fallback) {
        try {
            return Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return fallback;
        }
    }

    /** The limit of this machine: {@link #OS_LIMIT}, else {@value #DEFAULT_MAX_MEMBERSHIPS}. */
    public static int osLimit() {
        return osLimit(OS_LIMIT, DEFAULT_MAX_MEMBERSHIPS);
    }

    /** The two groups of a state, Publish first. */
    public static List<StareAddress> groupsOf(int stateId) {
        return List.of(new StareAddress(MessageKind.PUBLISH, stateId), new StareAddress(MessageKind.SUB_ACK, stateId));
    }

    /** Opens slot 0; call once, before anything else (later calls yield nothing). */
    public List<Op> start() {
        if (started) {
            return List.of();
        }
        started = true;
        slots.put(0, new TreeSet<>());
        return List.of(new OpenSocket(0));
    }

    /** The operations that make this server a member of {@code stateId}'s groups (none if it is already). */
    public List<Op> join(int stateId) {
        StareAddress.checkStateId(stateId);
        if (owner.containsKey(stateId)) {
            return List.of();
        }
        List<Op> ops = new ArrayList<>(start());
        int slot = -1;
        for (Map.Entry<Integer, Set<Integer>> open : slots.entrySet()) {
            if (open.getValue().size() < statesPerSocket) {
                slot = open.getKey();
                break;
            }
        }
        if (slot < 0) {
            slot = 0;
            while (slots.containsKey(slot)) {
                slot++;
            }
            slots.put(slot, new TreeSet<>());
            ops.add(new OpenSocket(slot));
        }
        slots.get(slot).add(stateId);
        owner.put(stateId, slot);
        for (StareAddress group : groupsOf(stateId)) {
            ops.add(new JoinGroup(slot, group));
        }
        return ops;
    }

    /** The operations that end this server's membership of {@code stateId}'s groups (none if not joined). */
    public List<Op> leave(int stateId) {
        Integer slot = owner.remove(stateId);
        if (slot == null) {
            return List.of();
        }
        List<Op> ops = new ArrayList<>();
        for (StareAddress group : groupsOf(stateId)) {
            ops.add(new LeaveGroup(slot, group));
        }
        Set<Integer> states = slots.get(slot);
        states.remove(stateId);
        if (states.isEmpty() && slot != 0) {
            slots.remove(slot);
            ops.add(new CloseSocket(slot));
        }
        return ops;
    }

    /** Leaves everything and closes every socket, slot 0 included; the maker may be started again. */
    public List<Op> closeAll() {
        List<Op> ops = new ArrayList<>();
        for (Map.Entry<Integer, Set<Integer>> open : slots.entrySet()) {
            for (int state : open.getValue()) {
                for (StareAddress group : groupsOf(state)) {
                    ops.add(new LeaveGroup(open.getKey(), group));
                }
            }
            ops.add(new CloseSocket(open.getKey()));
        }
        slots.clear();
        owner.clear();
        started = false;
        return ops;
    }

    /** The slot whose socket owns {@code stateId}'s groups, if the state is joined. */
    public OptionalInt ownerOf(int stateId) {
        Integer slot = owner.get(stateId);
        return slot == null ? OptionalInt.empty() : OptionalInt.of(slot);
    }

    /** Whether {@code stateId} is joined. */
    public boolean isJoined(int stateId) {
        return owner.containsKey(stateId);
    }

    /** The joined states. */
    public Set<Integer> states() {
        return Collections.unmodifiableSet(new TreeSet<>(owner.keySet()));
    }

    /** The open slots. */
    public Set<Integer> openSlots() {
        return Collections.unmodifiableSet(new TreeSet<>(slots.keySet()));
    }

    /** The states held by {@code slot} (empty if it is not open). */
    public Set<Integer> statesOn(int slot) {
        Set<Integer> states = slots.get(slot);
        return states == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(states));
    }

    /** The memberships one socket may hold. */
    public int maxMembershipsPerSocket() {
        return maxMembershipsPerSocket;
    }

    /** The states one socket holds at most: the limit over {@value #GROUPS_PER_STATE}. */
    public int statesPerSocket() {
        return statesPerSocket;
    }
}
