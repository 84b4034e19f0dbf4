package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.protocol.address.StareAddress;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The open-addressing {@code state_forwarding} table behaves as a map with P4Runtime's refusals,
 * through growth and deletions that shift entries back, for clustered and spread STATE_IDs alike.
 */
class StateGroupTableProperties {

    @Property(tries = 200)
    void behavesAsASortedMap(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int capacity,
                             @ForAll boolean clustered) {
        SplittableRandom random = new SplittableRandom(seed);
        StateGroupTable table = new StateGroupTable(capacity);
        TreeMap<Integer, Integer> model = new TreeMap<>();
        // Clustered ids (0..2c) collide and chain; spread ones cover the whole 22-bit range.
        int range = clustered ? 2 * capacity + 1 : StareAddress.MAX_STATE_ID + 1;
        for (int step = 0; step < 1000; step++) {
            int state = random.nextInt(range);
            int group = 1 + random.nextInt(ReplicationEngine.MAX_GROUP_ID);
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    boolean fits = !model.containsKey(state) && model.size() < capacity;
                    assertEquals(fits, table.insert(state, group).isDone());
                    if (fits) {
                        model.put(state, group);
                    }
                }
                case 2 -> assertEquals(model.replace(state, group) != null, table.modify(state, group).isDone());
                default -> assertEquals(model.remove(state) != null, table.delete(state).isDone());
            }
            Integer expected = model.get(state);
            assertEquals(expected == null ? OptionalInt.empty() : OptionalInt.of(expected), table.lookup(state));
            assertEquals(expected == null ? 0 : expected, table.groupOf(state));
            assertEquals(model.size(), table.size());
        }
        assertEquals(model, table.entries());
        for (int state : model.keySet()) {
            assertEquals(model.get(state), table.groupOf(state));
        }
        assertEquals(0, table.groupOf(-1));
    }
}
