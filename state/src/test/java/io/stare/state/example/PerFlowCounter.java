package io.stare.state.example;

import com.typesafe.config.Config;
import io.stare.client.StareClient;
import io.stare.client.StateCodec;
import io.stare.state.CounterMapState;
import io.stare.state.StateSpace;
import io.stare.state.global.GlobalSettings;
import io.stare.state.global.Reduce;
import io.stare.state.global.StareGlobalView;
import java.util.concurrent.CompletionStage;

/** A network function that counts packets per flow, and keeps counting right when flows move between instances. */
public final class PerFlowCounter implements AutoCloseable {

    private final StateSpace space;
    private final CounterMapState<String> packets;
    private final StareGlobalView view;

    private PerFlowCounter(StateSpace space, CounterMapState<String> packets, StareGlobalView view) {
        this.space = space;
        this.packets = packets;
        this.view = view;
    }

    /** Starts an instance: stare.state.nf and stare.state.instance name it, stare.state.store keeps its items. */
    public static PerFlowCounter start(Config config, StareClient client) throws Exception {
        StateSpace space = StateSpace.open(config);
        CounterMapState<String> packets = space.forThisThread().counterMap("packets", StateCodec.utf8());
        space.share(packets); // the other instances keep a replica of it, fed over STARE
        StareGlobalView view = StareGlobalView.start(space, client, GlobalSettings.fromConfig(config), "")
                .toCompletableFuture().get();
        return new PerFlowCounter(space, packets, view);
    }

    /** Counts a packet of {@code flow}: at once in memory, in the store and at the peers within a flush period. */
    public void onPacket(String flow) {
        packets.addTo(flow, 1);
    }

    /** This instance's own count of {@code flow}. */
    public CompletionStage<Long> localCount(String flow) {
        return packets.get(flow);
    }

    /** The count of {@code flow} over every instance: right after flows moved here, with no round trip. */
    public CompletionStage<Long> count(String flow) {
        return view.getGlobal("packets", Reduce.field(StateCodec.utf8(), flow, Reduce.sum()));
    }

    /** Scale-in: {@code adopter} takes over this instance's counts, and this instance stops. */
    public void leave(String adopter) {
        view.leave(adopter);
        space.close();
    }

    @Override
    public void close() {
        view.close();
        space.close();
    }
}
