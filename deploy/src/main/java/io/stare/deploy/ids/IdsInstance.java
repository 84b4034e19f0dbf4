package io.stare.deploy.ids;

import com.typesafe.config.ConfigFactory;
import io.stare.client.StareClient;
import io.stare.client.StateCodec;
import io.stare.state.CounterMapState;
import io.stare.state.Mode;
import io.stare.state.StateSettings;
import io.stare.state.StateSpace;
import io.stare.state.global.GlobalSettings;
import io.stare.state.global.Reduce;
import io.stare.state.global.StareGlobalView;
import io.stare.state.store.memory.MemoryStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the demo's IDS: per-flow match counters in a shared countermap (E-State over
 * STARE), and beside them the baseline's, the same counters with no sharing at all.
 */
final class IdsInstance implements AutoCloseable {

    private static final StateCodec<String> TEXT = StateCodec.utf8();

    final String name;
    private final StareClient client;
    private final MemoryStore store = new MemoryStore();
    private final StateSpace space;
    private final CounterMapState<String> matches;
    private final StareGlobalView view;
    private final Map<String, Long> baseline = new HashMap<>();

    IdsInstance(int number, StareClient client, GlobalSettings global) throws Exception {
        this.name = Integer.toString(number);
        this.client = client;
        this.space = StateSpace.over(new StateSettings("ids", name, Mode.ASYNC, Duration.ofMillis(1), 1_000_000,
                ConfigFactory.empty()), store, System::currentTimeMillis);
        this.matches = space.partition(0).counterMap("matches", TEXT);
        space.share(matches);
        this.view = StareGlobalView.start(space, client, global, "").toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Scans one packet; counts its matches in both the shared and the baseline's counters. */
    void process(IdsTraffic.Packet packet) {
        int found = IdsTraffic.matches(packet.payload());
        if (found > 0) {
            matches.addTo(packet.flow(), found);
            baseline.merge(packet.flow(), (long) found, Long::sum);
        }
    }

    /** The flow's match count as this instance sees it with E-State: every instance's, summed. */
    long sharedView(String flow) throws Exception {
        return view.getGlobal("matches", Reduce.field(TEXT, flow, Reduce.sum())).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    /** The flow's match count as the baseline sees it: this instance's own. */
    long baselineView(String flow) {
        return baseline.getOrDefault(flow, 0L);
    }

    /** The instances this one counts. */
    java.util.Set<String> instances() {
        return view.instances();
    }

    /** Leaves: {@code adopter} takes this instance's counts (the baseline's are lost with it). */
    void leave(String adopter) {
        view.leave(adopter);
    }

    @Override
    public void close() {
        view.close();
        space.close();
        store.close();
        client.close();
    }
}
