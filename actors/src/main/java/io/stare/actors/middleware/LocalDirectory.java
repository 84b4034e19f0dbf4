package io.stare.actors.middleware;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The middleware's internal data structure (the paper's Fig. 5): which local VNF publishes each
 * state and which local VNFs subscribe to it, and from that, what the server as a whole must tell
 * the network.
 *
 * <p>The middleware is the server's only endpoint of the replication scheme: the network sees one
 * SUB-register per server per state however many local VNFs subscribe, and one SUB-remove when the
 * last of them leaves. A VNF may publish only on a state it declared; one VNF publishes each state.
 *
 * <p>Plain Java, not thread-safe: the middleware's EXT actor owns it.
 */
public final class LocalDirectory {

    /** What a subscription change asks of the network. */
    public enum NetworkChange {
        /** The first local subscriber: send a SUB-register. */
        SUB_REGISTER,
        /** The last local subscriber left: send a SUB-remove. */
        SUB_REMOVE,
        /** Nothing: other local VNFs keep the server subscribed, or the call changed nothing. */
        NONE
    }

    /** The answer to {@link #declarePublisher}. */
    public enum Declared {
        /** The VNF now publishes the state (or already did). */
        OK,
        /** Another local VNF publishes it. */
        OWNED_BY_OTHER
    }

    private final Map<Integer, Integer> publisherOf = new HashMap<>();
    private final Map<Integer, SortedSet<Integer>> subscribersOf = new HashMap<>();

    /** Makes {@code vnfId} the publisher of {@code stateId}, unless another local VNF is. */
    public Declared declarePublisher(int vnfId, int stateId) {
        Integer owner = publisherOf.putIfAbsent(stateId, vnfId);
        return owner == null || owner == vnfId ? Declared.OK : Declared.OWNED_BY_OTHER;
    }

    /** Whether {@code vnfId} may publish on {@code stateId}. */
    public boolean mayPublish(int vnfId, int stateId) {
        Integer owner = publisherOf.get(stateId);
        return owner != null && owner == vnfId;
    }

    /** A local VNF subscribes; the server registers with the network only for its first subscriber. */
    public NetworkChange subscribe(int vnfId, int stateId) {
        SortedSet<Integer> subscribers = subscribersOf.computeIfAbsent(stateId, s -> new TreeSet<>());
        boolean first = subscribers.isEmpty();
        return subscribers.add(vnfId) && first ? NetworkChange.SUB_REGISTER : NetworkChange.NONE;
    }

    /** A local VNF unsubscribes; the server leaves the network's tree only with its last subscriber. */
    public NetworkChange unsubscribe(int vnfId, int stateId) {
        SortedSet<Integer> subscribers = subscribersOf.get(stateId);
        if (subscribers == null || !subscribers.remove(vnfId)) {
            return NetworkChange.NONE;
        }
        if (subscribers.isEmpty()) {
            subscribersOf.remove(stateId);
            return NetworkChange.SUB_REMOVE;
        }
        return NetworkChange.NONE;
    }

    /**
     * A VNF went away: its subscriptions end and its publisher roles are released. Returns the
     * states the server must now leave (it was their last local subscriber).
     */
    public List<Integer> removeVnf(int vnfId) {
        List<Integer> leave = new ArrayList<>();
        for (Integer state : new ArrayList<>(subscribersOf.keySet())) {
            if (unsubscribe(vnfId, state) == NetworkChange.SUB_REMOVE) {
                leave.add(state);
            }
        }
        publisherOf.values().removeIf(owner -> owner == vnfId);
        Collections.sort(leave);
        return leave;
    }

    /** The local VNFs subscribed to a state: a local publish is delivered to them directly. */
    public Set<Integer> localSubscribers(int stateId) {
        SortedSet<Integer> subscribers = subscribersOf.get(stateId);
        return subscribers == null ? Set.of() : Collections.unmodifiableSortedSet(subscribers);
    }

    /** The states the server is subscribed to: what it re-registers after a restart. */
    public SortedSet<Integer> subscribedStates() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(subscribersOf.keySet()));
    }

    /** The local publisher of a state, if any. */
    public java.util.OptionalInt publisherOf(int stateId) {
        Integer owner = publisherOf.get(stateId);
        return owner == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(owner);
    }
}
