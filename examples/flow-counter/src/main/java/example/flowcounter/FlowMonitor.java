package example.flowcounter;

import io.stare.client.StareClient;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** A VNF that subscribes to flow counters and adds up their latest counts. */
public final class FlowMonitor {

    private final StareClient stare;
    private final Map<String, FlowCounts> latest = new ConcurrentHashMap<>();

    public FlowMonitor(StareClient stare) {
        this.stare = stare;
    }

    /** Follows the counter named {@code counter}. */
    public CompletionStage<Integer> watch(String counter) {
        return stare.subscribe(FlowCounter.stateOf(counter), FlowCounts.CODEC,
                (stateId, update, counts) -> latest.put(counts.counter(), counts));
    }

    /** Packets of {@code flow} over every counter followed, as of their latest counts received. */
    public long total(String flow) {
        return latest.values().stream().mapToLong(counts -> counts.packets().getOrDefault(flow, 0L)).sum();
    }
}
