package example.flowcounter;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/** A VNF that counts packets per flow and shares its counts as the STARE state "flows/NAME". */
public final class FlowCounter {

    private final StareClient stare;
    private final String name;
    private final Map<String, Long> packets = new TreeMap<>();

    private FlowCounter(StareClient stare, String name) {
        this.stare = stare;
        this.name = name;
    }

    /** A counter named {@code name}, once its state is declared. */
    public static CompletionStage<FlowCounter> start(StareClient stare, String name) {
        return stare.declare(stateOf(name)).thenApply(stateId -> new FlowCounter(stare, name));
    }

    /** The state a counter named {@code name} publishes. */
    public static String stateOf(String name) {
        return "flows/" + name;
    }

    /** One packet of {@code flow}. */
    public synchronized void packet(String flow) {
        packets.merge(flow, 1L, Long::sum);
    }

    /** Publishes the counts as they are now; subscribers get every publish, in order. */
    public CompletionStage<PublishResult> share() {
        FlowCounts counts;
        synchronized (this) {
            counts = new FlowCounts(name, Map.copyOf(packets));
        }
        return stare.publish(stateOf(name), counts, FlowCounts.CODEC);
    }
}
