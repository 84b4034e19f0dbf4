package example.flowcounter;

import io.stare.client.StateCodec;
import java.util.Map;

/** What one flow counter shares: packets seen per flow, as of its latest publish. */
public record FlowCounts(String counter, Map<String, Long> packets) {

    /** How the counts cross the network (JSON). */
    public static final StateCodec<FlowCounts> CODEC = StateCodec.json(FlowCounts.class);
}
