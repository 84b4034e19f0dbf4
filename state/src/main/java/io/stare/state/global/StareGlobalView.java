package io.stare.state.global;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import io.stare.state.StateItem;
import io.stare.state.store.StateKey;
import io.stare.state.StateSpace;
import io.stare.state.store.Change;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global view over STARE: what STARE's data plane gives E-State that request/reply cannot.
 * Each instance publishes its shared structures' changes, batched at the flush period, on a STARE
 * state of its own ({@code estate/<nf>/<instance>}), and a whole snapshot every snapshot period;
 * each subscribes to its peers' states (found by name through the replica controller) and keeps
 * replicas of their items. {@link #getGlobal} reduces this instance's items and the replicas with
 * no round trip. A leaving instance publishes its last snapshot; the peer it names adopts its items.
 */
public final class StareGlobalView implements GlobalView {

    private static final Logger log = LoggerFactory.getLogger(StareGlobalView.class);

    private final StateSpace space;
    private final StareClient client;
    private final GlobalSettings settings;
    private final String nf;
    private final String self;
    private final String stateName;
    private final String replyAddress;
    private final Replicas replicas;
    private final ScheduledExecutorService timer;
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1_000);
    private final Map<String, Integer> subscribed = new ConcurrentHashMap<>();
    private final Set<String> subscribing = ConcurrentHashMap.newKeySet();
    private final Map<Integer, String> instanceOfState = new ConcurrentHashMap<>();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong unpublished = new AtomicLong();
    private volatile boolean closed;

    private StareGlobalView(StateSpace space, StareClient client, GlobalSettings settings, String replyAddress) {
        this.space = space;
        this.client = client;
        this.settings = settings;
        this.nf = space.settings().nf();
        this.self = space.settings().instance();
        this.stateName = settings.stateOf(nf, self);
        this.replyAddress = replyAddress;
        this.replicas = new Replicas(nf, self, System::nanoTime, settings.peerTimeout(), this::adopt);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stare-state-global-" + self);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Declares this instance's state and starts publishing, looking for peers and keeping replicas.
     *
     * @param client this instance's STARE client (one VNF per instance)
     * @param replyAddress published to the peers for {@link RequestReplyView} ({@code host:port}), or empty
     */
    public static CompletionStage<StareGlobalView> start(StateSpace space, StareClient client, GlobalSettings settings,
                                                         String replyAddress) {
        StareGlobalView view = new StareGlobalView(space, client, settings, replyAddress);
        return client.declare(view.stateName).thenApply(id -> {
            view.schedule();
            return view;
        });
    }

    private void schedule() {
        long flush = Math.max(1, space.settings().flushPeriod().toNanos());
        timer.scheduleWithFixedDelay(guarded(this::publishChanges), flush, flush, TimeUnit.NANOSECONDS);
        long snapshot = settings.snapshotPeriod().toNanos();
        timer.scheduleWithFixedDelay(guarded(this::publishSnapshot), 0, snapshot, TimeUnit.NANOSECONDS);
        long discovery = settings.discoveryPeriod().toNanos();
        timer.scheduleWithFixedDelay(guarded(this::discover), 0, discovery, TimeUnit.NANOSECONDS);
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) { // a failed period must not stop the next ones
                log.warn("global view of {}/{}: {}", nf, self, t.toString());
            }
        };
    }

    private void publishChanges() {
        List<Change> changes = space.flusher().takeUnpublished();
        if (!changes.isEmpty()) {
            publish(PeerMessage.Kind.CHANGES, changes);
        }
    }

    private void publishSnapshot() {
        publish(PeerMessage.Kind.SNAPSHOT, space.flusher().sharedSnapshot());
    }

    /** Publishes {@code changes} in parts of at most max-message-bytes; the last part has the kind. */
    private CompletionStage<Void> publish(PeerMessage.Kind kind, List<Change> changes) {
        return publish(kind, changes, "");
    }

    private CompletionStage<Void> publish(PeerMessage.Kind kind, List<Change> changes, String adopter) {
        List<List<Change>> parts = new ArrayList<>();
        split(changes, parts);
        CompletionStage<Void> last = CompletableFuture.completedFuture(null);
        for (int i = 0; i < parts.size(); i++) {
            PeerMessage.Kind k = i == parts.size() - 1 ? kind : PeerMessage.Kind.CHANGES;
            List<String> counting;
            synchronized (this) {
                counting = List.copyOf(replicas.counting().keySet());
            }
            byte[] bytes = new PeerMessage(k, self, sequence.incrementAndGet(), replyAddress,
                    k == PeerMessage.Kind.LEAVE ? adopter : "", counting, parts.get(i)).encode();
            last = client.publish(stateName, bytes).thenAccept(result -> {
                if (!(result instanceof PublishResult.Published)) {
                    // The next snapshot repairs the peers' replicas.
                    unpublished.incrementAndGet();
                }
            });
        }
        return last;
    }

    private void split(List<Change> changes, List<List<Change>> parts) {
        if (changes.size() <= 1 || ChangeCodec.encode(changes).length <= settings.maxMessageBytes()) {
            parts.add(changes);
            return;
        }
        int half = changes.size() / 2;
        split(changes.subList(0, half), parts);
        split(changes.subList(half, changes.size()), parts);
    }

    private void discover() {
        for (int slot = 0; slot < settings.maxInstances(); slot++) {
            String peer = Integer.toString(slot);
            if (peer.equals(self) || subscribed.containsKey(peer) || !subscribing.add(peer)) {
                continue;
            }
            client.subscribe(settings.stateOf(nf, peer), listener(peer)).whenComplete((stateId, error) -> {
                if (error == null) {
                    instanceOfState.put(stateId, peer);
                    subscribed.put(peer, stateId);
                }
                subscribing.remove(peer); // not declared yet: looked for again next period
            });
        }
    }

    private StateListener listener(String peer) {
        return new StateListener() {
            @Override
            public void onUpdate(int stateId, long update, byte[] value) {
                PeerMessage message;
                try {
                    message = PeerMessage.decode(value);
                } catch (ChangeCodec.MalformedChangesException e) {
                    malformed.incrementAndGet();
                    log.warn("global view of {}/{}: a malformed update from {} ({})", nf, self, peer, e.getMessage());
                    return;
                }
                synchronized (StareGlobalView.this) {
                    replicas.receive(message);
                    StareGlobalView.this.notifyAll(); // a leave waiting for its adopter looks again
                }
            }

            @Override
            public void onLoss(Delivery.Loss loss) {
                // Lost for good: the replica may miss changes until the peer's next snapshot.
                synchronized (StareGlobalView.this) {
                    replicas.lost(peer);
                }
            }
        };
    }

    private void adopt(List<StateItem> items) {
        for (StateItem item : items) {
            space.adopt(item);
        }
    }

    @Override
    public <R> CompletionStage<R> getGlobal(String idRegex, Reduce<R> reduce) {
        Pattern pattern = Pattern.compile(idRegex);
        Predicate<StateKey> matches = key -> pattern.matcher(key.id()).matches();
        CompletionStage<List<StateItem>> mine;
        List<StateItem> theirs;
        synchronized (this) {
            // Both under one lock: an adoption moves items from a replica to this instance at once.
            mine = space.localItems(key -> matches.test(key) && space.flusher().isShared(key));
            theirs = replicas.items(matches);
        }
        return mine.thenApply(own -> {
            List<StateItem> all = new ArrayList<>(own);
            all.addAll(theirs);
            return reduce.reduce(all);
        });
    }

    @Override
    public synchronized Set<String> instances() {
        Set<String> out = new LinkedHashSet<>();
        out.add(self);
        out.addAll(replicas.counting().keySet());
        return out;
    }

    /** The counting peers' request/reply addresses, for {@link RequestReplyView}. */
    public synchronized Map<String, String> peerAddresses() {
        return replicas.counting();
    }

    /** Peer updates refused as malformed. */
    public long malformed() {
        return malformed.get();
    }

    /** Messages STARE did not take (back-pressure...): the next snapshot repaired them. */
    public long unpublished() {
        return unpublished.get();
    }

    /**
     * Leaves, handing this instance's items to the counting peer with the lowest instance number
     * (none when alone): see {@link #leave(String)}.
     */
    @Override
    public void close() {
        String adopter;
        synchronized (this) {
            adopter = replicas.counting().keySet().stream()
                    .min(java.util.Comparator.comparingInt(StareGlobalView::slot)).orElse("");
        }
        leave(adopter);
    }

    private static int slot(String instance) {
        try {
            return Integer.parseInt(instance);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * Waits until {@code adopter} says it counts this instance (so it is subscribed, and hears the
     * leave), up to twice the peer timeout; publishing goes on meanwhile.
     */
    private void awaitCountedBy(String adopter) {
        long deadline = System.nanoTime() + settings.peerTimeout().multipliedBy(2).toNanos();
        synchronized (this) {
            while (!replicas.counts(adopter, self)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))); // woken by each peer message
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (replicas.counts(adopter, self)) {
                return;
            }
        }
        log.warn("global view of {}/{}: the adopter {} has not counted this instance within {}; leaving anyway, "
                + "its counts may miss this instance's", nf, self, adopter, settings.peerTimeout().multipliedBy(2));
    }

    /**
     * Leaves: publishes this instance's last snapshot with its leaving, which makes {@code adopter}
     * (the instance its flows moved to) add its items to its own (E-State's scale-in), and every
     * peer stop counting it; stops publishing and unsubscribes. Write nothing to the shared
     * structures after it.
     */
    public void leave(String adopter) {
        if (closed) {
            return;
        }
        closed = true;
        if (!adopter.isEmpty()) {
            awaitCountedBy(adopter);
        }
        timer.shutdownNow();
        try {
            space.flusher().takeUnpublished(); // the snapshot below holds them
            publish(PeerMessage.Kind.LEAVE, space.flusher().sharedSnapshot(), adopter).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("global view of {}/{}: the leave did not go out ({}); peers stop counting it after {}", nf, self,
                    e.toString(), settings.peerTimeout());
        }
        for (String state : subscribed.keySet()) {
            client.unsubscribe(settings.stateOf(nf, state));
        }
    }
}
