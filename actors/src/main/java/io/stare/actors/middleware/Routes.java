package io.stare.actors.middleware;

import java.util.List;
import java.util.Map;

/**
 * Which INT modules subscribe to each state: written by the EXT actor (which owns the
 * {@link LocalDirectory}) as a whole new table on every change, read by the main path for every
 * delivered update without boxing or locking. Copy-on-write, because subscriptions change rarely
 * and updates arrive often.
 */
final class Routes {

    private static final IntModule[] NONE = new IntModule[0];

    private volatile StateMap<IntModule[]> byState = new StateMap<>();

    /** The subscribers of a state; empty if none. Never modify the array. */
    IntModule[] subscribers(int stateId) {
        IntModule[] modules = byState.get(stateId);
        return modules == null ? NONE : modules;
    }

    /** Replaces the whole table. */
    void replace(Map<Integer, List<IntModule>> table) {
        StateMap<IntModule[]> next = new StateMap<>();
        table.forEach((state, modules) -> {
            if (!modules.isEmpty()) {
                next.put(state, modules.toArray(IntModule[]::new));
            }
        });
        this.byState = next;
    }
}
