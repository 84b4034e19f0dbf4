package io.stare.actors.agent;

import java.time.Duration;
import java.util.Optional;

/**
 * What one State4 reconfiguration did (the reply to {@link SwitchAgent.Reconfigure}, and the last
 * one in {@link AgentView#lastReconfiguration()}). Immutable.
 *
 * @param strategy how the state was carried over
 * @param access the register access used to read the old table
 * @param fromCapacity state slots of the pipeline replaced
 * @param toCapacity state slots of the pipeline installed
 * @param cellsCopied non-zero cells read from the old pipeline and written into the new one
 * @param updatesCloned state changes reported by STATE_CHANGED / SUB_PROPAGATED packet-ins while
 *     the reconfiguration ran (clone_flag set)
 * @param updatesApplied cell writes made for those changes after look-ahead (only the newest value
 *     per index is written), before COMMIT into the saved pipeline and after it into the new one
 * @param fenceRewrites post-COMMIT writes repeated because a change overtook the previous one
 * @param commitTime COMMIT sent to COMMIT acknowledged: an upper bound on how long forwarding was
 *     interrupted where the swap is atomic (the software switch); on BMv2 the swap itself
 * @param total the whole reconfiguration, from the command to clone_flag cleared
 * @param failure why it failed, if it did (the old pipeline keeps running if COMMIT was not sent)
 */
public record ReconfigurationReport(Reconfiguration.Strategy strategy, RegisterAccess.Kind access, int fromCapacity,
                                    int toCapacity, int cellsCopied, long updatesCloned, long updatesApplied,
                                    long fenceRewrites, Duration commitTime, Duration total, Optional<String> failure) {

    /** Whether the switch now runs the new pipeline with the state carried over. */
    public boolean succeeded() {
        return failure.isEmpty();
    }
}
