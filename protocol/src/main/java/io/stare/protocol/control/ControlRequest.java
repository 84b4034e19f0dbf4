package io.stare.protocol.control;

import io.stare.protocol.CborSerializable;

/**
 * A request on the control channel between a server's middleware (SIG SEND/RECEIVE) and the replica
 * controller. All go from middleware to controller except {@link TruncationQuery}, which the
 * controller sends to subscribers' middleware. Each is answered by a {@link ControlReply}; any of
 * them may instead be answered by a {@link ControlFailure}.
 *
 * <p>The controller is contacted only at initialization, for recovery and for truncation: none of
 * these messages lies on the publish path.
 */
public sealed interface ControlRequest extends CborSerializable
        permits RegisterVnf, DeclareState, LookupState, ListStates, Recover, LatestUpdateQuery, TruncationQuery {
}
