package io.stare.actors.middleware;

import java.util.List;
import java.util.Map;

/**
 * Which INT modules subscribe to each state: written by the EXT actor (which owns the
 * {@link LocalDirectory}) as a whole new immutable map on every change, read by the receive path's
 * stream stage for every delivered update. Copy-on-write, because subscriptions change rarely and
 * updates arrive often.
 */
final class Routes {

    private volatile Map<Integer, List<IntModule>> byState = Map.of();

    /** The subscribers of a state; empty if none. */
    List<IntModule> subscribers(int stateId) {
        return byState.getOrDefault(stateId, List.of());
    }

    /** Replaces the whole table. */
    void replace(Map<Integer, List<IntModule>> table) {
        this.byState = Map.copyOf(table);
    }
}
