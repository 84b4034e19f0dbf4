package io.stare.state.global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.StareClient;
import io.stare.client.StateCodec;
import io.stare.state.CounterMapState;
import io.stare.state.StateSpace;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import io.stare.state.store.StructureType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
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

    private ThreeHosts hosts;

    /** One instance: its space in its own memory, its views. */
    private record Instance(StateSpace space, CounterMapState<String> matches, StareGlobalView view,
                            RequestReplyView askView, GlobalServer server) {
    }

    @BeforeEach
    void start() throws Exception {
        hosts = new ThreeHosts();
    }

    @AfterEach
    void stop() throws Exception {
        hosts.close();
    }

    private Instance instance(String host, int number) throws Exception {
        StateSpace space = hosts.space("ids", number);
        CounterMapState<String> matches = space.partition(0).counterMap("matches", TEXT);
        space.share(matches);
        GlobalServer server = hosts.keep(GlobalServer.onLoopback(space));
        StareGlobalView view = hosts.view(host, space, server.address());
        RequestReplyView ask = hosts.keep(new RequestReplyView(space, view::peerAddresses, ThreeHosts.GLOBAL));
        return new Instance(space, matches, view, ask, server);
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return ThreeHosts.await(stage);
    }

    private void assertGlobal(List<Instance> instances, long total, long flowA) {
        hosts.fabric.eventually(() -> {
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
        hosts.fabric.eventually(() -> all.forEach(i -> assertEquals(Set.of("0", "1", "2"), i.view().instances())));

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
        hosts.fabric.eventually(() -> left.forEach(i -> assertEquals(Set.of("0", "1"), i.view().instances())));
        assertGlobal(left, 22, 7);
        assertEquals(Map.of("flow-a", 3L, "flow-c", 5L), await(zero.matches().get()), "adopted");
        await(zero.matches().addTo("flow-c", 1));
        assertGlobal(left, 23, 7);

        // Scale-out: a new instance is found and counts.
        Instance three = instance("h3", 3);
        List<Instance> grown = List.of(zero, one, three);
        hosts.fabric.eventually(() -> grown.forEach(i -> assertEquals(Set.of("0", "1", "3"), i.view().instances())));
        await(three.matches().addTo("flow-a", 2));
        assertGlobal(grown, 25, 9);
        assertTrue(zero.view().malformed() == 0 && zero.server().refused() == 0);
    }

    @Test
    void instancesOfAnyNameFindEachOtherThroughTheController() throws Exception {
        List<String> names = List.of("edge-a", "edge-b", "core");
        List<StateSpace> spaces = new java.util.ArrayList<>();
        List<StareGlobalView> views = new java.util.ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            StateSpace space = hosts.space("ids", names.get(i));
            CounterMapState<String> matches = space.partition(0).counterMap("matches", TEXT);
            space.share(matches);
            await(matches.addTo("flow-" + i, i + 1));
            spaces.add(space);
            views.add(hosts.view("h" + (i + 1), space, ""));
        }
        hosts.fabric.eventually(() -> {
            for (StareGlobalView view : views) {
                assertEquals(Set.copyOf(names), view.instances());
                assertEquals(6L, await(view.getGlobal("matches", Reduce.sum())));
            }
        });
    }

    @Test
    void instanceNamesThatComeAndGoNeverUseUpThePlaces() throws Exception {
        // max-instances is 4 here: 3 peers. Five instances come and go (pod names, new at every
        // restart); each leaves, handing its count to the one that stays; then one more comes.
        StateSpace keepSpace = hosts.space("ids", "stays");
        CounterMapState<String> kept = keepSpace.partition(0).counterMap("matches", TEXT);
        keepSpace.share(kept);
        StareGlobalView stays = hosts.view("h1", keepSpace, "");
        for (int i = 0; i < 5; i++) {
            String pod = "pod-" + i;
            StateSpace space = hosts.space("ids", pod);
            CounterMapState<String> matches = space.partition(0).counterMap("matches", TEXT);
            space.share(matches);
            await(matches.addTo("flow-" + i, 1));
            StareGlobalView view = hosts.view("h2", space, "");
            hosts.fabric.eventually(() -> {
                assertEquals(Set.of("stays", pod), stays.instances());
                assertEquals(Set.of("stays", pod), view.instances(), "it has a peer to hand its count to");
            });
            view.close();
            hosts.fabric.eventually(() -> assertEquals(Set.of("stays"), stays.instances()));
            long handed = i + 1;
            hosts.fabric.eventually(() -> assertEquals(handed, await(stays.getGlobal("matches", Reduce.sum())),
                    pod + " handed its count over"));
        }
        StateSpace lastSpace = hosts.space("ids", "pod-new");
        CounterMapState<String> last = lastSpace.partition(0).counterMap("matches", TEXT);
        lastSpace.share(last);
        await(last.addTo("flow-new", 1));
        hosts.view("h3", lastSpace, "");
        hosts.fabric.eventually(() -> {
            assertEquals(Set.of("stays", "pod-new"), stays.instances());
            assertEquals(6L, await(stays.getGlobal("matches", Reduce.sum())), "five handed over, one counted");
        });
    }

    @Test
    void anUpdateThatSpeaksForAnotherInstanceIsRefusedAndCounted() throws Exception {
        Instance zero = instance("h1", 0);
        Instance two = instance("h3", 2);
        await(zero.matches().addTo("flow-a", 3));
        hosts.fabric.eventually(() -> assertEquals(3L, await(two.view().getGlobal("matches", Reduce.sum()))));
        // A publisher on instance "mallory"'s state says it is instance 0, with 1,000 matches, at a
        // sequence number no later message of the real instance 0 would pass.
        StareClient forger = hosts.fabric.vnf("h2", "mallory");
        String state = ThreeHosts.GLOBAL.stateOf("ids", "mallory");
        await(forger.declare(state));
        StateKey stolen = new StateKey("ids", "0", 0, StructureType.COUNTERMAP, "matches");
        byte[] forged = new PeerMessage(PeerMessage.Kind.SNAPSHOT, "0", Long.MAX_VALUE - 1, "", "", List.of(),
                List.of(), List.of(new Change.SetField(stolen, Bytes.of(TEXT.encode("flow-a")), 1_000))).encode();
        hosts.fabric.eventually(() -> {
            await(forger.publish(state, forged));
            assertTrue(two.view().malformed() >= 1, "refused");
        });
        await(zero.matches().addTo("flow-a", 2));
        hosts.fabric.eventually(() -> assertEquals(5L, await(two.view().getGlobal("matches", Reduce.sum())),
                "instance 0 still counts as itself"));
        assertEquals(Set.of("0", "2"), two.view().instances());
    }
}
