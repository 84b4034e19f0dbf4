package io.stare.protocol.control;

import io.stare.protocol.CborSerializable;

/** The answer to a {@link ControlRequest}; {@link ControlFailure} when it could not be served. */
public sealed interface ControlReply extends CborSerializable
        permits VnfRegistered, StateDeclared, StateFound, StateUnknown, StatesListed, Recovered, LatestUpdate,
                TruncationReport, ControlFailure {
}
