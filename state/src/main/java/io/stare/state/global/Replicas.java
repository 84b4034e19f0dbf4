package io.stare.state.global;

import io.stare.state.StateItem;
import io.stare.state.store.StateKey;
import io.stare.state.flush.StateReads;
import io.stare.state.store.memory.MemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The other instances' shared items as this instance has heard them: one replica per peer, fed
 * with the peers' messages. A peer counts once its first snapshot came (before it, the replica
 * would miss what did not change lately) and while it is heard from within the peer timeout; a
 * peer that leaves stops counting, and if it names this instance its adopter, its last items go
 * to {@code adopt}. Plain Java with an
 * injected clock; the view that owns it locks around it.
 */
public final class Replicas {

    private static final class Peer {
        final MemoryStore items = new MemoryStore();
        long sequence = Long.MIN_VALUE;
        long heardAt;
        boolean complete;
        String replyAddress = "";
        List<String> counting = List.of();
    }

    private final String nf;
    private final String self;
    private final LongSupplier nanos;
    private final long timeoutNanos;
    private final Consumer<List<StateItem>> adopt;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private long ignored;

    /**
     * @param nf the network function, whose items the replicas hold
     * @param self this instance, whose own messages are ignored
     * @param nanos the clock of the peer timeout
     * @param peerTimeout how long a peer may stay silent and still count
     * @param adopt takes a leaving peer's last items
     */
    public Replicas(String nf, String self, LongSupplier nanos, Duration peerTimeout,
                    Consumer<List<StateItem>> adopt) {
        this.nf = nf;
        this.self = self;
        this.nanos = nanos;
        this.timeoutNanos = peerTimeout.toNanos();
        this.adopt = adopt;
    }

    /** Takes in a peer's message: duplicates and messages older than the last are ignored. */
    public void receive(PeerMessage message) {
        if (message.instance().equals(self)) {
            return;
        }
        Peer peer = peers.computeIfAbsent(message.instance(), k -> new Peer());
        if (message.sequence() <= peer.sequence) {
            ignored++;
            return;
        }
        peer.sequence = message.sequence();
        peer.heardAt = nanos.getAsLong();
        peer.replyAddress = message.replyAddress();
        peer.counting = message.counting();
        peer.items.apply(message.changes());
        if (message.kind() != PeerMessage.Kind.CHANGES) {
            peer.complete = true;
        }
        if (message.kind() == PeerMessage.Kind.LEAVE) {
            if (message.adopter().equals(self)) {
                adopt.accept(items(peer, k -> true));
            }
            peers.remove(message.instance());
            peer.items.close();
        }
    }

    /** A peer's update was lost for good: its replica counts again after its next snapshot. */
    public void lost(String instance) {
        Peer peer = peers.get(instance);
        if (peer != null) {
            peer.complete = false;
        }
    }

    /** The items of every counting peer whose key {@code matches}. */
    public List<StateItem> items(Predicate<StateKey> matches) {
        List<StateItem> out = new ArrayList<>();
        long now = nanos.getAsLong();
        for (Peer peer : peers.values()) {
            if (counts(peer, now)) {
                out.addAll(items(peer, matches));
            }
        }
        return out;
    }

    private List<StateItem> items(Peer peer, Predicate<StateKey> matches) {
        List<StateItem> out = new ArrayList<>();
        // A MemoryStore answers at once: join() only unwraps.
        for (StateKey key : peer.items.keys(nf).toCompletableFuture().join()) {
            if (matches.test(key)) {
                out.add(new StateItem(key, StateReads.read(peer.items, key).toCompletableFuture().join()));
            }
        }
        return out;
    }

    private boolean counts(Peer peer, long now) {
        return peer.complete && now - peer.heardAt <= timeoutNanos;
    }

    /** The peers that count now, with their request/reply addresses (empty when they have none). */
    public Map<String, String> counting() {
        Map<String, String> out = new LinkedHashMap<>();
        long now = nanos.getAsLong();
        peers.forEach((name, peer) -> {
            if (counts(peer, now)) {
                out.put(name, peer.replyAddress);
            }
        });
        return out;
    }

    /** Whether {@code peer}'s last message said it counts {@code instance}. */
    public boolean counts(String peer, String instance) {
        Peer p = peers.get(peer);
        return p != null && p.counting.contains(instance);
    }

    /** Messages ignored as duplicates or out of date. */
    public long ignored() {
        return ignored;
    }
}
