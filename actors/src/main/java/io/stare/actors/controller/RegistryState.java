package io.stare.actors.controller;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.stare.actors.ids.IdSpace;
import io.stare.protocol.CborSerializable;
import io.stare.protocol.auth.PublishKey;
import java.util.HashMap;
import java.util.Map;

/**
 * What the {@link IdRegistry} holds: the VNF and state ID spaces, who publishes each state, each
 * state's Publish key, and the middleware each VNF name is bound to.
 * Changed in place by events ({@link #apply}); a snapshot is this object written as CBOR (the
 * assignments only: the spaces' limits come from the configuration).
 */
public final class RegistryState implements CborSerializable {

    /** What the registry persists. */
    public sealed interface Event extends CborSerializable {
    }

    /** A VNF name got its ID. */
    public record VnfAssigned(String name, int vnfId) implements Event {
    }

    /** A VNF name is bound to a middleware (its first registration, or a move). */
    public record VnfHomed(String name, String middlewareId) implements Event {
    }

    /**
     * A state name got its ID, published by {@code publisherVnfId}, and its Publish key (null in
     * journals written before keys: such a state gets one by {@link StateKeyed}).
     */
    public record StateAssigned(String name, int stateId, int publisherVnfId, PublishKey key) implements Event {
    }

    /** A state declared before Publish keys existed got its key. */
    public record StateKeyed(int stateId, PublishKey key) implements Event {
    }

    private final IdSpace vnfs;
    private final IdSpace states;
    private final Map<Integer, Integer> publishers;
    private final Map<String, String> homes = new HashMap<>();
    private final Map<Integer, PublishKey> keys = new HashMap<>();

    static RegistryState empty(int maxVnfId, int maxStateId) {
        return new RegistryState(new IdSpace("VNF", maxVnfId), new IdSpace("state", maxStateId), new HashMap<>());
    }

    private RegistryState(IdSpace vnfs, IdSpace states, Map<Integer, Integer> publishers) {
        this.vnfs = vnfs;
        this.states = states;
        this.publishers = publishers;
    }

    /** Reads a snapshot; the registry applies the configured limits once recovered ({@link #limit}). */
    @JsonCreator
    static RegistryState fromSnapshot(@JsonProperty("vnfs") Map<String, Integer> vnfIds,
                                      @JsonProperty("states") Map<String, Integer> stateIds,
                                      @JsonProperty("publishers") Map<Integer, Integer> publishers,
                                      @JsonProperty("homes") Map<String, String> homes,
                                      @JsonProperty("keys") Map<Integer, PublishKey> keys) {
        RegistryState state = empty(Integer.MAX_VALUE, Integer.MAX_VALUE);
        vnfIds.forEach(state.vnfs::restore);
        stateIds.forEach(state.states::restore);
        state.publishers.putAll(publishers);
        if (homes != null) { // absent in snapshots older than name binding: those names bind anew
            state.homes.putAll(homes);
        }
        if (keys != null) { // absent in snapshots older than Publish keys: the next declaration draws them
            state.keys.putAll(keys);
        }
        return state;
    }

    void limit(int maxVnfId, int maxStateId) {
        vnfs.limit(maxVnfId);
        states.limit(maxStateId);
    }

    RegistryState apply(Event event) {
        if (event instanceof VnfAssigned v) {
            vnfs.restore(v.name(), v.vnfId());
        } else if (event instanceof VnfHomed h) {
            homes.put(h.name(), h.middlewareId());
        } else if (event instanceof StateAssigned s) {
            states.restore(s.name(), s.stateId());
            publishers.put(s.stateId(), s.publisherVnfId());
            if (s.key() != null) {
                keys.put(s.stateId(), s.key());
            }
        } else if (event instanceof StateKeyed k) {
            keys.put(k.stateId(), k.key());
        }
        return this;
    }

    @JsonProperty("vnfs")
    Map<String, Integer> vnfIds() {
        return vnfs.assignments();
    }

    @JsonProperty("states")
    Map<String, Integer> stateIds() {
        return states.assignments();
    }

    @JsonProperty("publishers")
    Map<Integer, Integer> publishers() {
        return Map.copyOf(publishers);
    }

    @JsonProperty("homes")
    Map<String, String> homes() {
        return Map.copyOf(homes);
    }

    @JsonProperty("keys")
    Map<Integer, PublishKey> keys() {
        return Map.copyOf(keys);
    }

    /** The Publish key of a state, or null (not declared since keys exist). */
    PublishKey keyOf(int stateId) {
        return keys.get(stateId);
    }

    /** The middleware {@code vnfName} is bound to, or null (never registered, or before binding). */
    String homeOf(String vnfName) {
        return homes.get(vnfName);
    }

    @JsonIgnore
    IdSpace vnfSpace() {
        return vnfs;
    }

    @JsonIgnore
    IdSpace stateSpace() {
        return states;
    }

    /** The publishing VNF of a state, or -1. */
    int publisherOf(int stateId) {
        return publishers.getOrDefault(stateId, -1);
    }
}
