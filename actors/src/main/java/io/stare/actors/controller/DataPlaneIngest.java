package io.stare.actors.controller;

/**
 * How the backlogs a controller node hosts receive their updates from the data plane, like any
 * subscriber: each backlog entity asks its node's ingest to follow its state while it runs there
 * (after recovery, or once declared) and to stop when it stops or moves to another node.
 * {@link #NONE} when updates come only by Append (stare.controller.ingest.mode = append).
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
}
