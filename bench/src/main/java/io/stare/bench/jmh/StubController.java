package io.stare.bench.jmh;

import io.stare.actors.controller.ReplicaController;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.StateFound;
import io.stare.protocol.control.StateUnknown;
import io.stare.protocol.control.VnfRegistered;
import io.stare.protocol.segment.Segment;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A replica controller reduced to what a publishing middleware needs from it, so that the
 * benchmarks time the middleware and not the backlog's persistence: it hands out VNF and state IDs
 * (with a Publish key each, as the real controller does by default, unless told not to),
 * confirms every appended update at once (keeping nothing), and answers a publisher whether another
 * server subscribes with a fixed answer.
 *
 * <p>The real controller (in-memory H2 journal) runs on the same two cores and would compete with the
 * middleware for them; its ingestion rate is measured on its own by {@code stare bench backlog}.
 */
final class StubController {

    private StubController() {
    }

    /**
     * @param remoteSubscribers the answer to {@link ReplicaController.PublisherJoined}: true makes the
     *     middleware send every publish to the network, false keeps publishes of states with only local
     *     subscribers off it (what the real controller says when no other server subscribes)
     */
    static Behavior<ReplicaController.Command> create(boolean remoteSubscribers) {
        return create(remoteSubscribers, true);
    }

    /**
     * @param authenticated whether states get Publish keys (segments tagged and verified), as with
     *     {@code stare.controller.publish-authentication = on}
     */
    static Behavior<ReplicaController.Command> create(boolean remoteSubscribers, boolean authenticated) {
        Map<String, Integer> vnfs = new HashMap<>();
        Map<String, StateDeclared> states = new HashMap<>();
        return Behaviors.receive(ReplicaController.Command.class)
                .onMessage(ReplicaController.Control.class, control -> {
                    Object request = control.request();
                    if (request instanceof RegisterVnf r) {
                        control.replyTo().tell(new VnfRegistered(r.vnfName(),
                                vnfs.computeIfAbsent(r.vnfName(), n -> vnfs.size() + 1)));
                    } else if (request instanceof DeclareState d) {
                        control.replyTo().tell(states.computeIfAbsent(d.stateName(),
                                n -> new StateDeclared(n, states.size() + 1, d.publisherVnfId(),
                                        authenticated ? PublishKey.random() : null)));
                    } else if (request instanceof LookupState l) {
                        StateDeclared s = states.get(l.stateName());
                        control.replyTo().tell(s == null ? new StateUnknown(l.stateName())
                                : new StateFound(s.stateName(), s.stateId(), s.publisherVnfId(), s.key()));
                    } else if (request instanceof LatestUpdateQuery q) {
                        control.replyTo().tell(new LatestUpdate(q.stateId(), -1));
                    } else {
                        control.replyTo().tell(new ControlFailure(ErrorCode.INVALID_ARGUMENT,
                                "not in the benchmarks' stub controller: " + request));
                    }
                    return Behaviors.same();
                })
                .onMessage(ReplicaController.Append.class, append -> {
                    // Confirm the updates whose last segment came, as one range, as the backlog does: an
                    // update cut across two Appends (at the 128 KiB batch bound) is confirmed once whole.
                    long first = -1;
                    long last = -1;
                    for (Segment segment : append.segments()) {
                        if (segment.segmentNo() == segment.totalSegments() - 1) {
                            first = first < 0 ? segment.update() : first;
                            last = segment.update();
                        }
                    }
                    if (first >= 0) {
                        append.replyTo().tell(new ReplicaController.Appended(append.segments().get(0).stateId(), first,
                                last));
                    }
                    return Behaviors.same();
                })
                .onMessage(ReplicaController.PublisherJoined.class, joined -> {
                    joined.replyTo().tell(new ReplicaController.RemoteSubscribers(joined.stateId(), remoteSubscribers));
                    return Behaviors.same();
                })
                .onAnyMessage(other -> Behaviors.same())
                .build();
    }
}
