package io.stare.state.global;

import io.stare.state.StateItem;
import io.stare.state.store.StateKey;
import io.stare.state.flush.StateReads;
import io.stare.state.store.Change;
import io.stare.state.store.memory.MemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The other instances' shared items as this instance has heard them: one replica per peer, fed
 * with the peers' messages. A peer counts once its first snapshot came (before it, the replica
 * would miss what did not change lately) and while it is heard from within the peer timeout; a
 * peer that leaves stops counting, and if it names this instance its adopter, its last items go
 * to {@code adopt}.
 *
 * <p>Items on their way from one instance to another (a leave, a hand-over) are <em>held</em>:
 * counted apart from both replicas from the moment the sender's message comes until the adopter's
 * message says it has adopted them (its changes up to that message hold them), so no reader counts
 * them twice or misses them meanwhile. A hold whose adopter is gone without having adopted it
 * (it left: two instances that leave at once may name each other; or it has not been heard for
 * the peer timeout) is <em>orphaned</em>: it passes to the first of the instances that still
 * count, in {@link #ORDER}, which adopts it. A hold whose adopter is heard but never says it
 * adopted (its word was lost) ends after three peer timeouts; by then the adopter's replica holds
 * the items. Plain Java with an injected clock; the view that owns it locks around it.
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

    /** Items handed from one instance to another, counted apart until the adopter has them. */
    private record Hold(MemoryStore items, long since, String adopter) {
    }

    /**
     * The order in which instances are picked as adopters: by number where the names are numbers,
     * then by name.
     */
    public static final Comparator<String> ORDER = Comparator.comparingInt(Replicas::number)
            .thenComparing(Comparator.naturalOrder());

    private static int number(String instance) {
        try {
            return Integer.parseInt(instance);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private final String nf;
    private final String self;
    private final LongSupplier nanos;
    private final long timeoutNanos;
    private final BiConsumer<PeerMessage.Handed, List<StateItem>> adopt;
    private final Map<String, Peer> peers = new LinkedHashMap<>();
    private final Map<PeerMessage.Handed, Hold> held = new LinkedHashMap<>();
    /** Acknowledgements heard before their hand-over (the adopter's path was the faster one). */
    private final Map<PeerMessage.Handed, Long> acknowledged = new LinkedHashMap<>();
    /** Instances whose leave was heard lately, and when: a hand-over naming one is orphaned. */
    private final Map<String, Long> left = new LinkedHashMap<>();
    private long ignored;
    private long orphaned;
    private long abandoned;

    /**
     * @param nf the network function, whose items the replicas hold
     * @param self this instance, whose own messages are ignored
     * @param nanos the clock of the peer timeout
     * @param peerTimeout how long a peer may stay silent and still count
     * @param adopt takes the items a peer hands to this instance (its leave, or a hand-over); once
     *     they are this instance's own, the caller {@linkplain #release releases} them
     */
    public Replicas(String nf, String self, LongSupplier nanos, Duration peerTimeout,
                    BiConsumer<PeerMessage.Handed, List<StateItem>> adopt) {
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
        expire(nanos.getAsLong());
        left.remove(message.instance()); // heard again: back (a restart under the same name)
        peer.sequence = message.sequence();
        peer.heardAt = nanos.getAsLong();
        peer.replyAddress = message.replyAddress();
        peer.counting = message.counting();
        PeerMessage.Handed handed = new PeerMessage.Handed(message.instance(), message.sequence());
        switch (message.kind()) {
            case CHANGES -> peer.items.apply(message.changes());
            case SNAPSHOT -> {
                peer.items.apply(message.changes());
                peer.complete = true;
            }
            case HANDOVER -> {
                MemoryStore moved = new MemoryStore();
                moved.apply(message.changes());
                List<Change> dropped = new ArrayList<>();
                for (StateKey key : keys(moved)) {
                    dropped.add(new Change.Delete(key));
                }
                peer.items.apply(dropped);
                handOver(handed, message.adopter(), moved);
            }
            case LEAVE -> {
                peer.items.apply(message.changes());
                peers.remove(message.instance());
                left.put(message.instance(), nanos.getAsLong());
                if (message.adopter().isEmpty()) {
                    peer.items.close();
                } else {
                    handOver(handed, message.adopter(), peer.items);
                }
            }
        }
        // After the changes: the message's own changes hold what it says its sender adopted.
        for (PeerMessage.Handed adopted : message.adopted()) {
            if (held.remove(adopted) != null) {
                continue;
            }
            Peer taken = peers.get(adopted.from());
            if (taken != null && !counts(taken, nanos.getAsLong()) && taken.sequence <= adopted.sequence()) {
                // A silent peer taken over (see takeOver): its replica is the adopter's now.
                peers.remove(adopted.from());
                taken.items.close();
            } else {
                acknowledged.put(adopted, nanos.getAsLong());
            }
        }
        // After the acknowledgements: what a leaver adopted before it left is not orphaned.
        adoptOrphans();
        abandonUnanswered(nanos.getAsLong());
    }

    /**
     * Passes on the holds whose adopter is gone, and ends old early acknowledgements: for an
     * instance that hears nobody and reads nothing, the view calls it every snapshot period.
     */
    public void tick() {
        expire(nanos.getAsLong());
        adoptOrphans();
        abandonUnanswered(nanos.getAsLong());
    }

    /**
     * Holds whose adopter is gone are passed to the first instance that still counts (this one
     * included); if that is this instance, it adopts them.
     */
    private void adoptOrphans() {
        long now = nanos.getAsLong();
        for (Map.Entry<PeerMessage.Handed, Hold> entry : List.copyOf(held.entrySet())) {
            Hold hold = entry.getValue();
            if (!gone(hold, now)) {
                continue;
            }
            String successor = successor();
            orphaned++;
            held.put(entry.getKey(), new Hold(hold.items(), now, successor));
            if (successor.equals(self)) {
                adopt.accept(entry.getKey(), items(hold.items(), k -> true));
            }
        }
    }

    /**
     * Ends holds whose adopter is heard but has not acknowledged them within three peer timeouts:
     * its word was lost (STARE refused it, or a delivery failed), and its own replica, which holds
     * the items once adopted, would count them a second time.
     */
    private void abandonUnanswered(long now) {
        for (var it = held.entrySet().iterator(); it.hasNext(); ) {
            Hold hold = it.next().getValue();
            if (!hold.adopter().equals(self) && now - hold.since() > 3 * timeoutNanos) {
                hold.items().close();
                it.remove();
                abandoned++;
            }
        }
    }

    /**
     * Whether a hold's adopter will not adopt it: it left, or it has not been heard for the peer
     * timeout since the hold began (a peer that lost an update is still heard, so still here).
     */
    private boolean gone(Hold hold, long now) {
        String adopter = hold.adopter();
        if (adopter.equals(self)) {
            return false; // adopting, or retrying while its store is away
        }
        if (left.containsKey(adopter)) {
            return true;
        }
        if (now - hold.since() <= timeoutNanos) {
            return false;
        }
        Peer peer = peers.get(adopter);
        return peer == null || now - peer.heardAt > timeoutNanos;
    }

    /**
     * The instance that adopts orphans: the first, in {@link #ORDER}, of this one and the peers
     * heard within the peer timeout. Heard, not counting: a peer whose update was lost here counts
     * again only at its next snapshot, but every instance that heard it agrees it is there.
     */
    private String successor() {
        long now = nanos.getAsLong();
        String first = self;
        for (Map.Entry<String, Peer> peer : peers.entrySet()) {
            if (now - peer.getValue().heardAt <= timeoutNanos && ORDER.compare(peer.getKey(), first) < 0) {
                first = peer.getKey();
            }
        }
        return first;
    }

    /**
     * Takes the last items heard from {@code gone}, a peer that no longer counts (silent past the
     * peer timeout: crashed, or cut off), for this instance to adopt, and forgets the peer.
     *
     * @return the hand-over to acknowledge (the last message heard from it) and its items; empty
     *     if nothing was ever heard from it
     * @throws IllegalStateException if {@code gone} still counts: a live instance hands over itself
     */
    public java.util.Optional<java.util.Map.Entry<PeerMessage.Handed, List<StateItem>>> takeOver(String gone) {
        Peer peer = peers.get(gone);
        if (peer == null) {
            return java.util.Optional.empty();
        }
        if (counts(peer, nanos.getAsLong())) {
            throw new IllegalStateException("instance " + gone + " still counts (heard within the peer timeout): "
                    + "it hands its items over itself (handOver, leave)");
        }
        peers.remove(gone);
        List<StateItem> items = items(peer.items, k -> true);
        PeerMessage.Handed handed = new PeerMessage.Handed(gone, peer.sequence);
        hold(handed, self, peer.items); // counted apart, here, until adopted
        return java.util.Optional.of(java.util.Map.entry(handed, items));
    }

    private void handOver(PeerMessage.Handed handed, String adopter, MemoryStore items) {
        if (acknowledged.remove(handed) != null) {
            items.close(); // the adopter's replica holds them already
            return;
        }
        hold(handed, adopter, items);
        if (adopter.equals(self)) {
            adopt.accept(handed, items(items, k -> true));
        }
    }

    /**
     * Holds items that this instance hands over itself: they count apart until the adopter says it
     * has them.
     */
    public void hold(PeerMessage.Handed handed, String adopter, List<Change> items) {
        MemoryStore store = new MemoryStore();
        store.apply(items);
        hold(handed, adopter, store);
    }

    private void hold(PeerMessage.Handed handed, String adopter, MemoryStore items) {
        held.put(handed, new Hold(items, nanos.getAsLong(), adopter));
    }

    /** Whether {@code handed} is held here still: not yet adopted, as far as this instance knows. */
    public boolean holds(PeerMessage.Handed handed) {
        return held.containsKey(handed);
    }

    /** The hand-over's items are now this instance's own (it adopted them): no longer held apart. */
    public void release(PeerMessage.Handed handed) {
        Hold hold = held.remove(handed);
        if (hold != null) {
            hold.items().close();
        }
    }

    /** A peer's update was lost for good: its replica counts again after its next snapshot. */
    public void lost(String instance) {
        Peer peer = peers.get(instance);
        if (peer != null) {
            peer.complete = false;
        }
    }

    /** The items of every counting peer, and the items held on their way, whose key {@code matches}. */
    public List<StateItem> items(Predicate<StateKey> matches) {
        List<StateItem> out = new ArrayList<>();
        long now = nanos.getAsLong();
        for (Peer peer : peers.values()) {
            if (counts(peer, now)) {
                out.addAll(items(peer.items, matches));
            }
        }
        expire(now); // no adoption here: a reader reduces its own items and these as one step
        for (Hold hold : held.values()) {
            out.addAll(items(hold.items(), matches));
        }
        return out;
    }

    /** Forgets early acknowledgements and leaves heard longer ago than the peer timeout. */
    private void expire(long now) {
        acknowledged.values().removeIf(at -> now - at > timeoutNanos);
        left.values().removeIf(at -> now - at > timeoutNanos);
    }

    /** The whole items {@code changes} describe (a hand-over's: a delete, then what each holds). */
    static List<StateItem> itemsOf(String nf, List<Change> changes) {
        try (MemoryStore store = new MemoryStore()) {
            store.apply(changes);
            List<StateItem> out = new ArrayList<>();
            for (StateKey key : List.copyOf(store.keys(nf).toCompletableFuture().join())) {
                out.add(new StateItem(key, StateReads.read(store, key).toCompletableFuture().join()));
            }
            return out;
        }
    }

    private List<StateItem> items(MemoryStore store, Predicate<StateKey> matches) {
        List<StateItem> out = new ArrayList<>();
        for (StateKey key : keys(store)) {
            if (matches.test(key)) {
                // A MemoryStore answers at once: join() only unwraps.
                out.add(new StateItem(key, StateReads.read(store, key).toCompletableFuture().join()));
            }
        }
        return out;
    }

    private List<StateKey> keys(MemoryStore store) {
        return List.copyOf(store.keys(nf).toCompletableFuture().join());
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

    /** Hand-overs held now: sent or heard, not yet acknowledged by their adopter. */
    public int holding() {
        return held.size();
    }

    /** Holds ended unanswered: their adopter is heard but its word never came (three peer timeouts). */
    public long abandoned() {
        return abandoned;
    }

    /** Holds passed on because their adopter left without adopting them. */
    public long orphaned() {
        return orphaned;
    }
}
