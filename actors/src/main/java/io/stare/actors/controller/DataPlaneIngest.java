package io.stare.actors.controller;

import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * How the backlogs a controller node hosts receive their updates from the data plane, like any
 * subscriber: each backlog entity asks its node's ingest to follow its state while it runs there
 * (after recovery, or once declared) and to stop when it stops or moves to another node.
 * {@link #NONE} when updates come only by Append (stare.controller.ingest.mode = append).
 *
 * <p>The controller only calls this interface; what implements it (a middleware of the node's own,
 * {@code BacklogIngest} in the ingest package) is handed in by whoever starts the node
 * ({@link ControllerCluster#start(ActorSystem, ControllerSettings, Factory)}), so that the controller
 * does not depend on the middleware.
 */
public interface DataPlaneIngest {

    /** No data-plane ingestion. */
    DataPlaneIngest NONE = new DataPlaneIngest() {
        @Override
        public void follow(int stateId, String stateName) {
        }

        @Override
        public void unfollow(int stateId, String stateName) {
        }
    };

    /** The state's backlog now runs on this node: subscribe to the state. Idempotent. */
    void follow(int stateId, String stateName);

    /** The state's backlog stopped on this node: unsubscribe. Idempotent. */
    void unfollow(int stateId, String stateName);

    /** The node's router is up: start receiving through it. Called once, after sharding starts. */
    default void start(ActorRef<ReplicaController.Command> router) {
    }

    /** Makes a controller node's data-plane ingest when stare.controller.ingest.mode = data-plane. */
    @FunctionalInterface
    interface Factory {
        /**
         * The ingest of the node {@code system}.
         *
         * @param backlogs the backlog of a state (the sharded entity), where received updates go
         */
        DataPlaneIngest create(ActorSystem<?> system, IntFunction<RecipientRef<StateBacklog.Command>> backlogs);
    }
}
