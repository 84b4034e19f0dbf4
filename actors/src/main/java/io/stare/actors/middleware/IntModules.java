package io.stare.actors.middleware;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The INT modules of the VNFs attached to one EXT module, and what follows from them: which
 * modules the main path routes each state to, and the counters summed over them. Pure
 * bookkeeping; the EXT module applies what it computes. Not thread-safe: the EXT module drives it.
 */
final class IntModules {

    /** An attached VNF: its name, its actor and its INT module. */
    record Attached(String name, ActorRef<Vnf.Command> actor, IntModule intModule) {
    }

    private final Map<Integer, Attached> byVnf = new HashMap<>();
    /** Inbound drops of INT modules already removed (their VNFs left). */
    private long removedInboundDropped;

    /** The VNF attached as {@code vnfId}, or null. */
    Attached get(int vnfId) {
        return byVnf.get(vnfId);
    }

    boolean attached(int vnfId) {
        return byVnf.containsKey(vnfId);
    }

    void put(int vnfId, Attached vnf) {
        byVnf.put(vnfId, vnf);
    }

    /** Forgets {@code vnfId} (its module's inbound drops stay counted); null if it was not attached. */
    Attached remove(int vnfId) {
        Attached vnf = byVnf.remove(vnfId);
        if (vnf != null) {
            removedInboundDropped += vnf.intModule().inboundDropped();
        }
        return vnf;
    }

    Collection<Attached> all() {
        return List.copyOf(byVnf.values());
    }

    /** Which INT module serves each attached VNF (the main path counts their unsent publishes). */
    StateMap<IntModule> modulesByVnf() {
        StateMap<IntModule> modules = new StateMap<>();
        byVnf.forEach((id, vnf) -> modules.put(id, vnf.intModule()));
        return modules;
    }

    /**
     * The main path's routes: for each state a local VNF subscribes to and the server receives
     * (published here, or its registration is active), the INT modules of its subscribers, less
     * those still waiting for the SUB-ack of their own subscription (answered, then routed).
     */
    Map<Integer, List<IntModule>> routes(LocalDirectory directory, SubRegister subRegister) {
        Map<Integer, List<IntModule>> table = new HashMap<>();
        for (int state : directory.subscribedStates()) {
            boolean receiving = directory.publisherOf(state).isPresent() || subRegister.active(state);
            if (!receiving) {
                continue;
            }
            List<IntModule> modules = new ArrayList<>();
            for (int vnfId : directory.localSubscribers(state)) {
                Attached vnf = byVnf.get(vnfId);
                if (vnf != null && !subRegister.waiting(state, vnfId)) {
                    modules.add(vnf.intModule());
                }
            }
            table.put(state, List.copyOf(modules));
        }
        return table;
    }

    /** Updates dropped because a VNF did not keep up, by the modules now attached and those removed. */
    long inboundDropped() {
        return removedInboundDropped + byVnf.values().stream().mapToLong(vnf -> vnf.intModule().inboundDropped()).sum();
    }

    /** Updates waiting in the modules for their VNFs. */
    int inboundQueued() {
        return byVnf.values().stream().mapToInt(vnf -> vnf.intModule().inboundQueued()).sum();
    }

    /** Publishes waiting for the main path to send them. */
    int outboundQueued() {
        return byVnf.values().stream().mapToInt(vnf -> vnf.intModule().outboundQueued()).sum();
    }
}
