package io.stare.actors.middleware;

import io.stare.actors.controller.ReplicaController;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.StateFound;
import io.stare.protocol.control.StateUnknown;
import io.stare.protocol.control.VnfRegistered;
import io.stare.protocol.segment.Segment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A replica controller that hands out IDs and confirms appends but keeps no backlog: every
 * RECOVER is answered "truncated", so a lost update is unrecoverable. It remembers each state's
 * latest appended update, and may be told to answer latest-update queries {@code BUSY}.
 */
final class ForgetfulController {

    private ForgetfulController() {
    }

    static Behavior<ReplicaController.Command> create() {
        return create(new AtomicInteger());
    }

    /** The same, answering the next {@code busyLatestQueries} latest-update queries with {@code BUSY}. */
    static Behavior<ReplicaController.Command> create(AtomicInteger busyLatestQueries) {
        Map<String, Integer> vnfs = new HashMap<>();
        Map<String, StateDeclared> states = new HashMap<>();
        Map<Integer, Long> latest = new HashMap<>();
        return Behaviors.receive(ReplicaController.Command.class)
                .onMessage(ReplicaController.Control.class, control -> {
                    Object request = control.request();
                    if (request instanceof RegisterVnf r) {
                        control.replyTo().tell(new VnfRegistered(r.vnfName(), vnfs.computeIfAbsent(r.vnfName(), n -> vnfs.size() + 1)));
                    } else if (request instanceof DeclareState d) {
                        control.replyTo().tell(states.computeIfAbsent(d.stateName(),
                                n -> new StateDeclared(n, states.size() + 1, d.publisherVnfId())));
                    } else if (request instanceof LookupState l) {
                        StateDeclared s = states.get(l.stateName());
                        control.replyTo().tell(s == null ? new StateUnknown(l.stateName())
                                : new StateFound(s.stateName(), s.stateId(), s.publisherVnfId()));
                    } else if (request instanceof LatestUpdateQuery q && busyLatestQueries.getAndUpdate(
                            n -> Math.max(0, n - 1)) > 0) {
                        control.replyTo().tell(new ControlFailure(ErrorCode.BUSY, "test: busy"));
                    } else if (request instanceof LatestUpdateQuery q) {
                        control.replyTo().tell(new LatestUpdate(q.stateId(), latest.getOrDefault(q.stateId(), -1L)));
                    } else if (request instanceof Recover r) {
                        control.replyTo().tell(new Recovered(r.requestId(), r.stateId(), List.of(), r.missing(),
                                latest.getOrDefault(r.stateId(), -1L)));
                    } else {
                        control.replyTo().tell(new ControlFailure(ErrorCode.INVALID_ARGUMENT, "unsupported"));
                    }
                    return Behaviors.same();
                })
                .onMessage(ReplicaController.Append.class, append -> {
                    // Keeps nothing, so it confirms the batch's whole run (a batch holds one state).
                    List<Segment> segments = append.segments();
                    long low = segments.stream().mapToLong(Segment::update).min().orElseThrow();
                    long high = segments.stream().mapToLong(Segment::update).max().orElseThrow();
                    int state = segments.get(0).stateId();
                    latest.merge(state, high, Math::max);
                    append.replyTo().tell(new ReplicaController.Appended(state, low, high));
                    return Behaviors.same();
                })
                .onAnyMessage(other -> Behaviors.same())
                .build();
    }
}
