package io.stare.actors.controller;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.stare.actors.backlog.Backlog;
import io.stare.actors.backlog.BacklogLimits;
import io.stare.actors.backlog.SegmentsCbor;
import io.stare.protocol.CborSerializable;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.segment.Segment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What one {@link StateBacklog} entity holds: the segments, who publishes, who subscribes. The
 * events change it in place ({@link #apply}); a snapshot is this object written as CBOR, so a
 * restarted or moved entity reads it back instead of replaying every event.
 *
 * <p>Mutable on purpose: Pekko Persistence stashes commands while a snapshot is written, so the
 * object is never changed while it is being serialized.
 */
public final class BacklogState implements CborSerializable {

    /** What the entity persists; each changes the state in {@link #apply}. */
    public sealed interface Event extends CborSerializable {
    }

    /** The registry declared the state {@code stateName}, published by this VNF. */
    public record Declared(int publisherVnfId, String stateName) implements Event {
    }

    /** Segments kept (only ones the backlog did not hold), persisted as one binary block. */
    public record Stored(@JsonSerialize(using = SegmentsCbor.Writer.class)
                         @JsonDeserialize(using = SegmentsCbor.Reader.class) List<Segment> segments) implements Event {
        public Stored {
            segments = List.copyOf(segments);
        }
    }

    /** Everything below {@code below} is dropped: every live subscriber holds it. */
    public record Truncated(long below) implements Event {
    }

    /** A server subscribes; its middleware answers truncation queries at {@code queries}. */
    public record SubscriberJoined(String subscriberId, ActorRef<TruncationQuery> queries) implements Event {
    }

    /** A server no longer subscribes. */
    public record SubscriberLeft(String subscriberId) implements Event {
    }

    /**
     * The publishing server's middleware wants to know whether another server subscribes (so it
     * can keep publishes that only local VNFs receive off the network).
     */
    public record PublisherJoined(String serverId, ActorRef<ReplicaController.RemoteSubscribers> updates,
                                  ActorRef<ReplicaController.Appended> appended) implements Event {
    }

    private final Backlog backlog;
    private int publisherVnfId;
    private String stateName;
    private final Map<String, ActorRef<TruncationQuery>> subscribers;
    private final Map<String, ActorRef<ReplicaController.RemoteSubscribers>> publishers;
    /** Where each publishing server hears that an update is held (for updates ingested from the data plane). */
    private final Map<String, ActorRef<ReplicaController.Appended>> confirmations;

    /** A state nobody declared yet. */
    static BacklogState empty(int stateId, BacklogLimits limits) {
        return new BacklogState(new Backlog(stateId, limits), -1, null, Map.of(), Map.of(), Map.of());
    }

    private BacklogState(Backlog backlog, int publisherVnfId, String stateName,
                         Map<String, ActorRef<TruncationQuery>> subscribers,
                         Map<String, ActorRef<ReplicaController.RemoteSubscribers>> publishers,
                         Map<String, ActorRef<ReplicaController.Appended>> confirmations) {
        this.backlog = backlog;
        this.publisherVnfId = publisherVnfId;
        this.stateName = stateName;
        this.subscribers = new LinkedHashMap<>(subscribers);
        this.publishers = new LinkedHashMap<>(publishers);
        this.confirmations = new LinkedHashMap<>(confirmations);
    }

    /**
     * Reads a snapshot. The cap is not part of it: the entity applies the configured one once
     * recovered ({@link #limit}).
     */
    @JsonCreator
    static BacklogState fromSnapshot(@JsonProperty("backlog") Backlog.Snapshot backlog,
                                     @JsonProperty("publisherVnfId") int publisherVnfId,
                                     @JsonProperty("stateName") String stateName,
                                     @JsonProperty("subscribers") Map<String, ActorRef<TruncationQuery>> subscribers,
                                     @JsonProperty("publishers")
                                     Map<String, ActorRef<ReplicaController.RemoteSubscribers>> publishers,
                                     @JsonProperty("confirmations")
                                     Map<String, ActorRef<ReplicaController.Appended>> confirmations) {
        return new BacklogState(Backlog.of(backlog, BacklogLimits.UNBOUNDED), publisherVnfId, stateName,
                subscribers == null ? Map.of() : subscribers, publishers == null ? Map.of() : publishers,
                confirmations == null ? Map.of() : confirmations);
    }

    /** Applies the configured cap (a state read from a snapshot has none). */
    void limit(BacklogLimits limits) {
        backlog.limit(limits);
    }

    /** Changes the state by one event; returns it. */
    BacklogState apply(Event event) {
        if (event instanceof Declared d) {
            publisherVnfId = d.publisherVnfId();
            stateName = d.stateName();
        } else if (event instanceof Stored s) {
            s.segments().forEach(backlog::append);
        } else if (event instanceof Truncated t) {
            backlog.truncateBelow(t.below());
        } else if (event instanceof SubscriberJoined j) {
            subscribers.put(j.subscriberId(), j.queries());
        } else if (event instanceof SubscriberLeft l) {
            subscribers.remove(l.subscriberId());
        } else if (event instanceof PublisherJoined p) {
            publishers.put(p.serverId(), p.updates());
            if (p.appended() != null) {
                confirmations.put(p.serverId(), p.appended());
            }
        }
        return this;
    }

    @JsonProperty("backlog")
    Backlog.Snapshot backlogSnapshot() {
        return backlog.snapshot();
    }

    @JsonProperty("publisherVnfId")
    int publisherVnfId() {
        return publisherVnfId;
    }

    @JsonProperty("stateName")
    String stateName() {
        return stateName;
    }

    @JsonProperty("confirmations")
    Map<String, ActorRef<ReplicaController.Appended>> confirmations() {
        return confirmations;
    }

    @JsonProperty("subscribers")
    Map<String, ActorRef<TruncationQuery>> subscribers() {
        return subscribers;
    }

    @JsonProperty("publishers")
    Map<String, ActorRef<ReplicaController.RemoteSubscribers>> publishers() {
        return publishers;
    }

    @JsonIgnore
    Backlog backlog() {
        return backlog;
    }

    @JsonIgnore
    boolean isDeclared() {
        return publisherVnfId >= 0;
    }

    /** Whether a server other than {@code serverId} subscribes. */
    boolean hasSubscriberBesides(String serverId) {
        return subscribers.keySet().stream().anyMatch(s -> !s.equals(serverId));
    }
}
