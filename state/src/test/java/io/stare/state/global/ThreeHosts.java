package io.stare.state.global;

import com.typesafe.config.ConfigFactory;
import io.stare.client.StareClient;
import io.stare.state.Mode;
import io.stare.state.StateSettings;
import io.stare.state.StateSpace;
import io.stare.state.store.StateStore;
import io.stare.state.store.memory.MemoryStore;
import io.stare.testkit.StareFabric;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * An embedded STARE fabric of hosts h1, h2, h3 on one switch, and the NF instances' parts started
 * on it (spaces in memory stores of their own, views, servers), closed in reverse order.
 */
final class ThreeHosts implements AutoCloseable {

    /** Quick peers: snapshots every 200 ms, a peer silent for 2 s stops counting. */
    static final GlobalSettings GLOBAL = new GlobalSettings("estate", 4, Duration.ofMillis(200),
            Duration.ofSeconds(2), Duration.ofMillis(200), 100_000, Duration.ofSeconds(2));

    final StareFabric fabric;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final java.util.Map<StareGlobalView, StareClient> clients = new java.util.HashMap<>();
    private final java.util.Map<StareGlobalView, String> states = new java.util.HashMap<>();

    ThreeHosts() throws Exception {
        fabric = StareFabric.builder().topology(StareFabric.singleSwitch("h1", "h2", "h3")).start();
    }

    /** Instance {@code number} of {@code nf}'s space, async with a 1 ms flush, in a memory store of its own. */
    StateSpace space(String nf, int number) {
        return space(nf, Integer.toString(number));
    }

    /** Instance {@code instance} of {@code nf}'s space, async with a 1 ms flush, in a memory store of its own. */
    StateSpace space(String nf, String instance) {
        return space(nf, instance, keep(new MemoryStore()));
    }

    /** Instance {@code instance} of {@code nf}'s space, async with a 1 ms flush, in {@code store}. */
    StateSpace space(String nf, String instance, StateStore store) {
        return keep(StateSpace.over(new StateSettings(nf, instance, Mode.ASYNC, Duration.ofMillis(1),
                100_000, ConfigFactory.empty()), store, System::currentTimeMillis));
    }

    /** The global view over STARE of {@code space}, whose VNF runs on {@code host}. */
    StareGlobalView view(String host, StateSpace space, String replyAddress) throws Exception {
        String vnf = space.settings().nf() + "-" + space.settings().instance();
        StareClient client = fabric.vnf(host, vnf);
        StareGlobalView view = keep(await(StareGlobalView.start(space, client, GLOBAL, replyAddress)));
        clients.put(view, client);
        states.put(view, GLOBAL.stateOf(space.settings().nf(), space.settings().instance()));
        return view;
    }

    /**
     * The instance of {@code view} crashes, as far as its peers can tell: its VNF is gone, nothing it
     * sends arrives. Returns once STARE refuses what the instance publishes.
     */
    void crash(StareGlobalView view) {
        StareClient client = clients.get(view);
        String state = states.get(view);
        client.close();
        // A probe every peer would ignore if it went out: no changes, older than anything sent.
        byte[] probe = new PeerMessage(PeerMessage.Kind.CHANGES, state.substring(state.lastIndexOf('/') + 1), 0, "",
                "", List.of(), List.of(), List.of()).encode();
        fabric.eventually(() -> org.junit.jupiter.api.Assertions.assertFalse(
                await(client.publish(state, probe)) instanceof io.stare.client.PublishResult.Published,
                "the closed VNF's publishes are refused"));
    }

    /** Closes {@code part} with the fabric, before what was kept earlier. */
    <T extends AutoCloseable> T keep(T part) {
        open.add(part);
        return part;
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        fabric.close();
    }
}
