package io.stare.state.global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.stare.client.StareClient;
import io.stare.client.StateCodec;
import io.stare.state.CounterMapState;
import io.stare.state.Mode;
import io.stare.state.StateSettings;
import io.stare.state.StateSpace;
import io.stare.state.store.memory.MemoryStore;
import io.stare.testkit.StareFabric;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * E-State's global view on an embedded STARE fabric: three instances of one IDS, each counting
 * matches per flow in a shared countermap kept in its own memory. Over STARE every instance
 * reduces its replicas of the others with no round trip; request/reply asks them; both agree with
 * the truth, an instance that leaves hands its counts to its adopter, and a new one is found.
 */
@Timeout(120)
class GlobalViewTest {

    private static final StateCodec<String> TEXT = StateCodec.utf8();
    private static final GlobalSettings GLOBAL = new GlobalSettings("estate", 4, Duration.ofMillis(200),
            Duration.ofSeconds(2), Duration.ofMillis(200), 100_000, Duration.ofSeconds(2));

    private StareFabric fabric;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** One instance: its client, its space in its own memory, its views. */
    private record Instance(StateSpace space, CounterMapState<String> matches, StareGlobalView view,
                            RequestReplyView askView, GlobalServer server) {
    }

    @BeforeEach
    void start() throws Exception {
        fabric = StareFabric.builder().topology(StareFabric.singleSwitch("h1", "h2", "h3")).start();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        fabric.close();
    }

    private Instance instance(String host, int number) throws Exception {
        StareClient client = fabric.vnf(host, "ids-" + number);
        MemoryStore store = new MemoryStore();
        StateSpace space = StateSpace.over(new StateSettings("ids", Integer.toString(number), Mode.ASYNC,
                Duration.ofMillis(1), 100_000, ConfigFactory.empty()), store, System::currentTimeMillis);
        open.add(store);
        open.add(space);
        CounterMapState<String> matches = space.partition(0).counterMap("matches", TEXT);
        space.share(matches);
        GlobalServer server = GlobalServer.onLoopback(space);
        open.add(server);
        StareGlobalView view = await(StareGlobalView.start(space, client, GLOBAL, server.address()));
        open.add(view);
        RequestReplyView ask = new RequestReplyView(space, view::peerAddresses, GLOBAL);
        open.add(ask);
        return new Instance(space, matches, view, ask, server);
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private void assertGlobal(List<Instance> instances, long total, long flowA) {
        fabric.eventually(() -> {
            for (Instance i : instances) {
                assertEquals(total, await(i.view().getGlobal("matches", Reduce.sum())), "over STARE at "
                        + i.space().settings().instance());
                assertEquals(flowA, await(i.view().getGlobal("match.*", Reduce.field(TEXT, "flow-a", Reduce.sum()))));
                assertEquals(total, await(i.askView().getGlobal("matches", Reduce.sum())), "request/reply at "
                        + i.space().settings().instance());
            }
        });
    }

    @Test
    void everyInstanceSeesTheSumOfAllAndALeaverHandsItsCountsOver() throws Exception {
        Instance zero = instance("h1", 0);
        Instance one = instance("h2", 1);
        Instance two = instance("h3", 2);
        List<Instance> all = List.of(zero, one, two);
        fabric.eventually(() -> all.forEach(i -> assertEquals(Set.of("0", "1", "2"), i.view().instances())));

        await(zero.matches().addTo("flow-a", 3));
        await(one.matches().addTo("flow-a", 4));
        await(one.matches().addTo("flow-b", 10));
        await(two.matches().addTo("flow-c", 5));
        assertGlobal(all, 22, 7);
        assertEquals(Map.of("flow-a", 3L), await(zero.matches().get()), "get: the local item only");
        assertEquals(java.util.Optional.of(14L), await(zero.view().getGlobal("matches", Reduce.max())),
                "the largest instance's sum: instance 1's");

        // Scale-in: instance 2's flows move to instance 0, which adopts its counts as it leaves.
        two.view().leave("0");
        List<Instance> left = List.of(zero, one);
        fabric.eventually(() -> left.forEach(i -> assertEquals(Set.of("0", "1"), i.view().instances())));
        assertGlobal(left, 22, 7);
        assertEquals(Map.of("flow-a", 3L, "flow-c", 5L), await(zero.matches().get()), "adopted");
        await(zero.matches().addTo("flow-c", 1));
        assertGlobal(left, 23, 7);

        // Scale-out: a new instance is found and counts.
        Instance three = instance("h3", 3);
        List<Instance> grown = List.of(zero, one, three);
        fabric.eventually(() -> grown.forEach(i -> assertEquals(Set.of("0", "1", "3"), i.view().instances())));
        await(three.matches().addTo("flow-a", 2));
        assertGlobal(grown, 25, 9);
        assertTrue(zero.view().malformed() == 0 && zero.server().refused() == 0);
    }
}
