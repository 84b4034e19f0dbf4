package io.stare.state.global;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import io.stare.state.StateItem;
import io.stare.state.store.StateKey;
import io.stare.state.StateSpace;
import io.stare.state.store.Change;
import java.time.Duration;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global view over STARE: what STARE's data plane gives E-State that request/reply cannot.
 * Each instance publishes its shared structures' changes, batched at the flush period, on a STARE
 * state of its own ({@code estate/<nf>/<instance>}), and a whole snapshot every snapshot period;
 * each subscribes to its peers' states (listed by the replica controller) and keeps
 * replicas of their items. {@link #getGlobal} reduces this instance's items and the replicas with
 * no round trip. A leaving instance publishes its last snapshot; the peer it names adopts its items.
 * At scale-out an instance {@linkplain #handOver hands} the items of the flows that moved to the
 * instance they moved to. Items on their way count once everywhere (see {@link Replicas}).
 */
public final class StareGlobalView implements GlobalView {

    private static final Logger log = LoggerFactory.getLogger(StareGlobalView.class);
    /** How often an adoption is tried again while the store cannot read the items' counterparts. */
    static final Duration ADOPTION_RETRY = Duration.ofMillis(200);

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
    /** The peers subscribed to: a silent one stays subscribed, to be heard when back. */
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final Set<String> subscribing = ConcurrentHashMap.newKeySet();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong unpublished = new AtomicLong();
    private final AtomicBoolean discoveryFailed = new AtomicBoolean();
    private final AtomicBoolean tooMany = new AtomicBoolean();
    /** Hand-overs adopted since the last message: the next one says so (guarded by this). */
    private final List<PeerMessage.Handed> adopted = new ArrayList<>();
    /** Set once by {@link #leave}: no more hand-overs, periods or adoptions for the snapshot. */
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Hand-overs queued on the timer and not started: a leave fails them (they took nothing). */
    private final Set<CompletableFuture<Integer>> queuedHandOvers = ConcurrentHashMap.newKeySet();
    /** Hand-overs sent and not yet answered: a leave waits for them (a refused one is taken back). */
    private final Set<CompletableFuture<Integer>> handOversInFlight = ConcurrentHashMap.newKeySet();

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
        List<PeerMessage> messages;
        synchronized (this) {
            // Under the lock that adoptions take: the adopted items' changes go in the same message
            // as the word that they are adopted, or an earlier one.
            List<Change> changes = space.flusher().takeUnpublished();
            if (changes.isEmpty() && adopted.isEmpty()) {
                return;
            }
            messages = messages(PeerMessage.Kind.CHANGES, changes, "");
        }
        send(messages);
    }

    private void publishSnapshot() {
        List<PeerMessage> messages;
        synchronized (this) {
            replicas.tick(); // holds whose adopter is gone pass on even when nobody else speaks
            messages = messages(PeerMessage.Kind.SNAPSHOT, space.flusher().sharedSnapshot(), "");
        }
        send(messages);
    }

    /**
     * {@code changes} as messages of at most max-message-bytes each; the last one has the kind (every
     * one, for a hand-over) and says which hand-overs this instance adopted. Called under the lock,
     * on the timer thread or once it has stopped, so sequence numbers go out in order.
     */
    private List<PeerMessage> messages(PeerMessage.Kind kind, List<Change> changes, String adopter) {
        List<List<Change>> parts = new ArrayList<>();
        split(changes, parts);
        List<String> counting = List.copyOf(replicas.counting().keySet());
        List<PeerMessage> messages = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            boolean last = i == parts.size() - 1;
            PeerMessage.Kind k = last || kind == PeerMessage.Kind.HANDOVER ? kind : PeerMessage.Kind.CHANGES;
            List<PeerMessage.Handed> acknowledged = last ? List.copyOf(adopted) : List.of();
            messages.add(new PeerMessage(k, self, sequence.incrementAndGet(), replyAddress,
                    k == PeerMessage.Kind.LEAVE || k == PeerMessage.Kind.HANDOVER ? adopter : "", counting,
                    acknowledged, parts.get(i)));
        }
        adopted.clear();
        return messages;
    }

    /**
     * Publishes {@code messages} in order; completes, once STARE has answered each, with those it
     * did not take (refused, or the client failed) and why. Changes and snapshots need no more: the
     * next snapshot repairs the peers' replicas.
     */
    private CompletionStage<List<Refusal>> send(List<PeerMessage> messages) {
        List<Refusal> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<?>[] answers = new CompletableFuture<?>[messages.size()];
        for (int i = 0; i < messages.size(); i++) {
            PeerMessage message = messages.get(i);
            CompletionStage<PublishResult> answer;
            try {
                answer = client.publish(stateName, message.encode());
            } catch (RuntimeException e) { // a client that throws instead of failing its stage
                answer = CompletableFuture.failedFuture(e);
            }
            answers[i] = answer.handle((result, error) -> {
                if (error != null || !(result instanceof PublishResult.Published)) {
                    unpublished.incrementAndGet();
                    refused.add(new Refusal(message, error != null ? error.toString() : String.valueOf(result)));
                }
                return null;
            }).toCompletableFuture();
        }
        return CompletableFuture.allOf(answers).thenApply(done -> List.copyOf(refused));
    }

    /** A message STARE did not take, and why. */
    private record Refusal(PeerMessage message, String why) {
    }

    /**
     * A hand-over STARE did not carry (every part or some): no peer heard those parts, so this
     * instance takes their items back (adopts its own hand-over, no acknowledgement needed) and
     * fails {@code handed}: nothing lost, and the caller may hand over again.
     */
    private void takeBack(List<Refusal> refused, CompletableFuture<Integer> handed) {
        List<CompletableFuture<Void>> back = new ArrayList<>();
        int items = 0;
        for (Refusal refusal : refused) {
            PeerMessage message = refusal.message();
            List<StateItem> taken = Replicas.itemsOf(nf, message.changes());
            items += taken.size();
            CompletableFuture<Void> done = new CompletableFuture<>();
            adopt(new PeerMessage.Handed(self, message.sequence()), taken, false, done, 1);
            back.add(done);
        }
        String why = refused.get(0).why();
        int takenBack = items;
        CompletableFuture.allOf(back.toArray(CompletableFuture[]::new)).whenComplete((done, error) ->
                handed.completeExceptionally(new HandOverRefusedException("STARE did not carry " + refused.size()
                        + " part(s) of the hand-over (" + why + "); their " + takenBack + " items are this instance's "
                        + "again")));
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

    /**
     * Lists this NF's instance states at the replica controller and subscribes to those not yet
     * subscribed: any instance name works. A failed listing is tried again next period.
     */
    private void discover() {
        String prefix = settings.stateOf(nf, "");
        client.states(prefix).whenComplete((states, error) -> {
            if (error != null) {
                if (discoveryFailed.compareAndSet(false, true)) {
                    log.warn("global view of {}/{}: cannot list the instances' states ({}); trying every {}", nf, self,
                            error.toString(), settings.discoveryPeriod());
                }
                return;
            }
            int live = liveSubscriptions();
            for (String state : states) {
                String peer = state.substring(prefix.length());
                if (peer.isEmpty() || peer.equals(self) || subscribed.contains(peer)) {
                    continue;
                }
                if (live >= settings.maxInstances() - 1) {
                    if (tooMany.compareAndSet(false, true)) {
                        log.warn("global view of {}/{}: more than {} instances (stare.state.global.max-instances); "
                                + "the others are not counted here", nf, self, settings.maxInstances());
                    }
                    return;
                }
                if (!subscribing.add(peer)) {
                    continue;
                }
                live++;
                client.subscribe(state, listener(peer)).whenComplete((stateId, failure) -> {
                    if (failure == null) {
                        subscribed.add(peer);
                    }
                    subscribing.remove(peer); // failed: tried again next period
                });
            }
        });
    }

    /**
     * The peers that take one of {@code max-instances}' places: those counting now, and those
     * being subscribed. Peers gone silent (left, crashed, renamed by a restart) stay subscribed, to
     * be heard if they come back, but take no place: instance names that come and go never use
     * the places up.
     */
    private int liveSubscriptions() {
        int counting;
        synchronized (this) {
            counting = replicas.counting().size();
        }
        return counting + subscribing.size();
    }

    /**
     * Why a message that arrived on {@code peer}'s state is not {@code peer}'s (a faulty or forged
     * publisher speaking for another instance, or another NF), or null: an instance publishes only
     * its own items, adopted ones included (adoption makes them its own).
     */
    private String foreign(PeerMessage message, String peer) {
        if (!message.instance().equals(peer)) {
            return "it says it is from instance " + message.instance();
        }
        for (Change change : message.changes()) {
            StateKey key = change.key();
            if (!key.nf().equals(nf) || !key.instance().equals(peer)) {
                return "it holds item " + key.render();
            }
        }
        return null;
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
                String foreign = foreign(message, peer);
                if (foreign != null) {
                    malformed.incrementAndGet();
                    log.warn("global view of {}/{}: an update on {}'s state refused: {}", nf, self, peer, foreign);
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

    /**
     * Adopts a peer's items handed to this instance, once their first reads are back, in one step
     * under the lock: the items become this instance's, stop being held apart, and the next message
     * says they are adopted. While the store cannot read them (it is away), the items stay held
     * apart and the adoption is tried again every {@link #ADOPTION_RETRY}: the sender has let them
     * go, so giving up would lose them.
     */
    private CompletionStage<Void> adopt(PeerMessage.Handed handed, List<StateItem> items) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        adopt(handed, items, true, done, 1);
        return done;
    }

    private void adopt(PeerMessage.Handed handed, List<StateItem> items, boolean acknowledge,
                       CompletableFuture<Void> done, int attempt) {
        if (closed.get() && acknowledge) {
            // Leaving: what it adopted now might miss its last snapshot. Its peers pass the items on
            // (orphans). Its own refused hand-overs it takes back: the leave waits for them.
            done.completeExceptionally(new IllegalStateException("instance " + self + " is leaving"));
            return;
        }
        CompletableFuture<?>[] ready;
        try {
            ready = items.stream().map(item -> space.prepareAdoption(item).toCompletableFuture())
                    .toArray(CompletableFuture[]::new);
        } catch (RuntimeException e) { // e.g. an ID open here in another mode: a developer's error
            log.error("global view of {}/{}: the items {} handed over cannot be adopted here: {}", nf, self, handed,
                    e.toString());
            done.completeExceptionally(e);
            return;
        }
        CompletableFuture.allOf(ready).whenComplete((read, error) -> {
            if (error != null) {
                if (attempt == 1) {
                    log.warn("global view of {}/{}: the items {} handed over cannot be read here yet ({}); "
                            + "held apart and tried again every {}", nf, self, handed, error.toString(), ADOPTION_RETRY);
                }
                if (space.isClosed()) {
                    log.error("global view of {}/{}: closed before the items {} handed over could be adopted; "
                            + "{} items lost", nf, self, handed, items.size());
                    done.completeExceptionally(error);
                    return;
                }
                CompletableFuture.delayedExecutor(ADOPTION_RETRY.toNanos(), TimeUnit.NANOSECONDS)
                        .execute(() -> adopt(handed, items, acknowledge, done, attempt + 1));
                return;
            }
            synchronized (this) {
                if (!replicas.holds(handed)) {
                    // Adopted already: by the instance its adopter left it to, or here.
                    done.complete(null);
                    return;
                }
                for (StateItem item : items) {
                    space.adopt(item);
                }
                replicas.release(handed);
                if (acknowledge) {
                    adopted.add(handed);
                }
            }
            if (attempt > 1) {
                log.info("global view of {}/{}: the items {} handed over are adopted (attempt {})", nf, self, handed,
                        attempt);
            }
            done.complete(null);
        });
    }

    /**
     * Hands this instance's shared items whose ids match {@code idRegex} to instance {@code to}
     * (scale-out: their flows now go there): takes them out of this instance and publishes them
     * whole; {@code to} adds them to its own (as {@link StateSpace#adopt} merges) and says so. Until
     * it has, every instance, this one included, counts them apart, once. Writes to these items
     * here afterwards count here again, as new items.
     *
     * @return completes when STARE has taken the hand-over, with the number of items handed; fails
     *     with {@link IllegalStateException}, nothing taken, if {@code to} is not a counting peer, and
     *     with {@link HandOverRefusedException} if STARE did not carry it (the items are this
     *     instance's again)
     * @throws IllegalArgumentException if {@code to} is this instance
     */
    public CompletionStage<Integer> handOver(String to, String idRegex) {
        if (to.equals(self)) {
            throw new IllegalArgumentException("instance " + self + " cannot hand items to itself");
        }
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("instance " + self + " has left"));
        }
        Pattern pattern = Pattern.compile(idRegex);
        CompletableFuture<Integer> handed = new CompletableFuture<>();
        queuedHandOvers.add(handed);
        Runnable task = () -> {
            if (!queuedHandOvers.remove(handed)) {
                return; // failed by a leave meanwhile
            }
            try {
                List<PeerMessage> messages;
                int items;
                synchronized (this) {
                    if (!replicas.counting().containsKey(to)) {
                        // Taken out here, the items would count nowhere once the hold ends.
                        throw new IllegalStateException("instance " + to + " is not counted here (not found, or "
                                + "silent); hand over to a live peer: " + replicas.counting().keySet());
                    }
                    List<Change> moved = space.flusher().handOver(key -> pattern.matcher(key.id()).matches());
                    items = (int) moved.stream().filter(c -> c instanceof Change.Delete).count();
                    messages = items == 0 ? List.of() : messages(PeerMessage.Kind.HANDOVER, moved, to);
                    for (PeerMessage message : messages) {
                        replicas.hold(new PeerMessage.Handed(self, message.sequence()), to, message.changes());
                    }
                }
                handOversInFlight.add(handed);
                handed.whenComplete((n, e) -> handOversInFlight.remove(handed));
                send(messages).whenComplete((refused, error) -> {
                    if (refused == null || refused.isEmpty()) {
                        handed.complete(items);
                    } else {
                        takeBack(refused, handed);
                    }
                });
            } catch (RuntimeException e) {
                handed.completeExceptionally(e);
            }
        };
        try {
            timer.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException leaving) {
            queuedHandOvers.remove(handed);
            handed.completeExceptionally(new IllegalStateException("instance " + self + " has left"));
        }
        return handed;
    }

    /**
     * Takes over the items of instance {@code gone}, which crashed or was cut off (silent past the
     * peer timeout, so no view counts it any more): this instance adopts the last items it heard
     * from it, as if {@code gone} had handed them over, and every peer forgets its replica of it
     * once this instance's next message says so. Where the instances share a store, {@code gone}'s
     * items there are deleted, so that it comes back empty if it restarts; with stores of their
     * own, it must not come back with its old items (they would count again).
     *
     * @return completes with the number of items adopted (0 if nothing was ever heard from it)
     * @throws IllegalStateException if {@code gone} still counts
     */
    public CompletionStage<Integer> takeOver(String gone) {
        java.util.Optional<Map.Entry<PeerMessage.Handed, List<StateItem>>> taken;
        synchronized (this) {
            taken = replicas.takeOver(gone);
        }
        if (taken.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        List<StateItem> items = taken.get().getValue();
        return adopt(taken.get().getKey(), items).thenCompose(done -> dropFromStore(gone))
                .thenApply(done -> items.size());
    }

    /**
     * Deletes {@code gone}'s items from this instance's store, where the instances share one
     * (Redis, PostgreSQL): a restarted {@code gone} then reads nothing back that this instance
     * counts already. With a store of its own (memory) there is nothing of {@code gone}'s here.
     */
    private CompletionStage<Void> dropFromStore(String gone) {
        return space.store().keys(nf).thenCompose(keys -> {
            List<Change> deletes = keys.stream().filter(key -> key.instance().equals(gone))
                    .<Change>map(Change.Delete::new).toList();
            return deletes.isEmpty() ? CompletableFuture.completedFuture(null) : space.store().apply(deletes);
        });
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

    /** Hand-overs (leaves included) this instance holds apart now: sent or heard, not yet adopted. */
    public synchronized int holding() {
        return replicas.holding();
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
     * (names that are no numbers after the numbers, in order; none when alone): see {@link #leave(String)}.
     */
    @Override
    public void close() {
        String adopter;
        synchronized (this) {
            adopter = replicas.counting().keySet().stream().min(Replicas.ORDER).orElse("");
        }
        leave(adopter);
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
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (!adopter.isEmpty()) {
            awaitCountedBy(adopter);
        }
        timer.shutdownNow();
        for (CompletableFuture<Integer> queued : List.copyOf(queuedHandOvers)) {
            if (queuedHandOvers.remove(queued)) { // not started, and now it never will
                queued.completeExceptionally(new IllegalStateException("instance " + self
                        + " left before the hand-over ran; nothing was taken (its items go with the leave)"));
            }
        }
        try {
            // A period still running publishes first: sequence numbers go out in order.
            timer.awaitTermination(5, TimeUnit.SECONDS);
            // A hand-over STARE refuses is taken back, and must be in the snapshot below.
            try {
                CompletableFuture.allOf(handOversInFlight.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // refused or slow: what was taken back is in; the rest is the hand-over's
            }
            List<PeerMessage> messages;
            synchronized (this) {
                space.flusher().takeUnpublished(); // the snapshot below holds them
                messages = messages(PeerMessage.Kind.LEAVE, space.flusher().sharedSnapshot(), adopter);
            }
            List<Refusal> refused = send(messages).toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (!refused.isEmpty()) {
                log.warn("global view of {}/{}: STARE did not carry {} of the {} parts of the leave ({}); peers stop "
                        + "counting this instance's items after {}", nf, self, refused.size(), messages.size(),
                        refused.get(0).why(), settings.peerTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("global view of {}/{}: the leave did not go out ({}); peers stop counting it after {}", nf, self,
                    e.toString(), settings.peerTimeout());
        }
        for (String state : subscribed) {
            client.unsubscribe(settings.stateOf(nf, state));
        }
    }
}
