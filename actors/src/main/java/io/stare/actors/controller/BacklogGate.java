package io.stare.actors.controller;

import io.stare.protocol.ErrorCode;
import io.stare.protocol.control.ControlFailure;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.Behavior;

/**
 * Stands in front of a {@link StateBacklog} and answers "busy" when too many commands already wait
 * inside it. While the backlog persists an event, Pekko Persistence stashes every command that
 * arrives, and past its stash capacity it drops them with a warning each: under overload a
 * recovery storm once produced hundreds of such warnings and lost requests nobody was told about.
 * The gate counts the commands let in and not yet handled; beyond {@code limit} a RECOVER or a
 * latest-update query gets {@link ErrorCode#BUSY} at once (the middleware asks again after
 * its retry interval), and an Append is not let in (the publisher sends what stays unconfirmed
 * again after its control timeout). Subscription, truncation and status commands always pass.
 */
final class BacklogGate extends BehaviorInterceptor<StateBacklog.Command, StateBacklog.Command> {

    /** Commands let in and not yet handled; the backlog decrements it as it handles each. */
    static final class Load {
        private int queued;
        private long refused;

        void handled() {
            queued = Math.max(0, queued - 1);
        }

        int queued() {
            return queued;
        }

        long refused() {
            return refused;
        }
    }

    private final Load load;
    private final int limit;
    private final int stateId;

    BacklogGate(Load load, int limit, int stateId) {
        super(StateBacklog.Command.class);
        this.load = load;
        this.limit = limit;
        this.stateId = stateId;
    }

    @Override
    public Behavior<StateBacklog.Command> aroundReceive(TypedActorContext<StateBacklog.Command> context,
                                                       StateBacklog.Command command,
                                                       ReceiveTarget<StateBacklog.Command> target) {
        if (load.queued >= limit && refuse(command)) {
            load.refused++;
            if (Long.bitCount(load.refused) == 1) { // 1, 2, 4, ...: visible, no flood
                context.asJava().getLog().warn("State {}: {} commands wait in the backlog; answering busy ({} so far)",
                        stateId, load.queued, load.refused);
            }
            return org.apache.pekko.actor.typed.javadsl.Behaviors.same();
        }
        load.queued++;
        return target.apply(context, command);
    }

    /** Refuses what can be asked again; true if {@code command} was answered (or dropped) here. */
    private boolean refuse(StateBacklog.Command command) {
        String why = "state " + stateId + "'s backlog has " + load.queued + " commands waiting; ask again later";
        if (command instanceof StateBacklog.RecoverSegments recover) {
            recover.replyTo().tell(new ControlFailure(ErrorCode.BUSY, why));
            return true;
        }
        if (command instanceof StateBacklog.QueryLatest query) {
            query.replyTo().tell(new ControlFailure(ErrorCode.BUSY, why));
            return true;
        }
        return command instanceof StateBacklog.AppendSegments; // resent by the publisher while unconfirmed
    }
}
