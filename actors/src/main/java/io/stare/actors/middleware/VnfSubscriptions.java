package io.stare.actors.middleware;

import io.stare.client.Delivery;
import io.stare.client.StateListener;
import io.stare.client.UpdateHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One VNF's subscriptions as its actor ({@link Vnf}) keeps them, as pure logic: each state's ID
 * and its listener or inline handler, the newest update each listener had (where a middleware
 * restart resumes, and what a resumed stream repeats), and the deliveries that overtook their
 * Subscribe answer (the middleware's reply and the first queued delivery race). Not thread-safe:
 * the VNF's actor drives it.
 */
final class VnfSubscriptions {

    /** A subscription to make again after a middleware restart, from {@code resumeFrom} (-1: anew). */
    record Resumption(String stateName, StateListener listener, ResumingHandler handler, long resumeFrom) {
    }

    private final Map<String, Integer> byName = new HashMap<>();
    private final Map<Integer, StateListener> listeners = new HashMap<>();
    /** Inline subscriptions, each remembering the last update it handled. */
    private final Map<Integer, ResumingHandler> handlers = new HashMap<>();
    /** Per subscribed state, the newest update delivered (or reported lost): where a restart resumes. */
    private final Map<Integer, Long> lastDelivered = new HashMap<>();
    /** Subscribe requests sent and not yet answered. */
    private int inFlight;
    /** Deliveries that overtook their Subscribe answer, held until the answer names their listener. */
    private final List<Delivery> overtaking = new ArrayList<>();

    /**
     * The inline handler to subscribe {@code stateName} with: the wrapper of an earlier
     * subscription to it (a restart subscribes again with the same one), or a new one.
     */
    ResumingHandler resuming(String stateName, UpdateHandler handler, Vnf.Handle handle) {
        Integer known = byName.get(stateName);
        ResumingHandler existing = known == null ? null : handlers.get(known);
        return existing != null ? existing : new ResumingHandler(handler, handle);
    }

    /** A Subscribe went to the middleware: until it is answered, deliveries of unknown states are held. */
    void requested() {
        inFlight++;
    }

    /**
     * The middleware answered a Subscribe for {@code stateName}. If it subscribed, the state's
     * deliveries go to {@code listener}, or {@code installed} (the inline handler the middleware
     * installed) handles them. Returns the held deliveries, to hand over again now.
     */
    List<Delivery> answered(String stateName, Middleware.Reply reply, StateListener listener,
                            ResumingHandler installed) {
        inFlight--;
        if (reply instanceof Middleware.Subscribed subscribed) {
            byName.put(stateName, subscribed.stateId());
            if (listener != null) {
                listeners.put(subscribed.stateId(), listener);
            } else if (installed != null) {
                handlers.put(subscribed.stateId(), installed);
            }
        }
        List<Delivery> held = List.copyOf(overtaking);
        overtaking.clear();
        return held;
    }

    /** Forgets the name {@code stateName}: its state ID, or null if it is not subscribed. */
    Integer unsubscribe(String stateName) {
        return byName.remove(stateName);
    }

    /** Nothing more of {@code stateId} reaches a listener, even what is already queued. */
    void stopDelivering(int stateId) {
        listeners.remove(stateId);
        handlers.remove(stateId);
        lastDelivered.remove(stateId);
    }

    /**
     * The listener to hand {@code delivery} to now, or null: held until a pending Subscribe is
     * answered, or dropped (no listener, or the listener already had it). Moves the state's resume
     * point.
     */
    StateListener listenerFor(Delivery delivery) {
        StateListener listener = listeners.get(delivery.stateId());
        if (listener == null && inFlight > 0) {
            overtaking.add(delivery); // handed over once its listener is known
            return null;
        }
        return listener != null && isNew(delivery) ? listener : null;
    }

    /**
     * Whether the listener has not had this yet (a stream resumed after a middleware restart may
     * repeat a few updates), moving the state's resume point. An overflow notice overtakes the
     * queued updates before it, so only a stream's own (unrecoverable) gaps move the point.
     */
    private boolean isNew(Delivery delivery) {
        int state = delivery.stateId();
        long last = lastDelivered.getOrDefault(state, -1L);
        long newest;
        if (delivery instanceof Delivery.Update u) {
            newest = u.update();
        } else if (delivery instanceof Delivery.Loss loss && loss.reason() == Delivery.Loss.Reason.UNRECOVERABLE) {
            newest = loss.last();
        } else {
            return true;
        }
        if (newest <= last) {
            return false;
        }
        lastDelivered.put(state, newest);
        return true;
    }

    /** The subscriptions to make again after a middleware restart, each after the last update it had. */
    List<Resumption> resumptions() {
        List<Resumption> resumptions = new ArrayList<>();
        byName.forEach((name, state) -> {
            ResumingHandler inline = handlers.get(state);
            long last = inline != null ? inline.last : lastDelivered.getOrDefault(state, -1L);
            resumptions.add(new Resumption(name, listeners.get(state), inline, last < 0 ? -1 : last + 1));
        });
        return resumptions;
    }
}
