package io.stare.actors.agent;

import java.util.SortedMap;
import java.util.concurrent.CompletionStage;

/**
 * Reads and writes the register program's {@code state_ports} cells and its {@code clone_flag}
 * (docs/dataplane.md, "In-band register access" and "State-preserving reconfiguration hook").
 * Two ways, one contract:
 *
 * <ul>
 *   <li>{@link P4RuntimeRegisterAccess}: P4Runtime {@code RegisterEntry} Read and Write (the
 *       software switch, Tofino). After a VERIFY_AND_SAVE these go to the saved pipeline.</li>
 *   <li>{@link InBandRegisterAccess}: packet-outs READ / WRITE / SET_CLONE_FLAG answered by
 *       REGISTER_VALUES packet-ins (BMv2, whose P4Runtime server answers UNIMPLEMENTED to
 *       register access). These always reach the <em>installed</em> pipeline.</li>
 * </ul>
 *
 * All calls are asynchronous and may be made from any thread.
 */
public interface RegisterAccess {

    /** Which path an access takes. */
    enum Kind {
        /** P4Runtime RegisterEntry Read and Write. */
        P4RUNTIME,
        /** Packet-out READ / WRITE / SET_CLONE_FLAG on the StreamChannel. */
        IN_BAND
    }

    /** How an agent chooses its access (setting {@code stare.agent.state4.register-access}). */
    enum Choice {
        /** Try P4Runtime; fall back to in-band when the switch answers UNIMPLEMENTED (BMv2). */
        AUTO,
        /** P4Runtime only. */
        P4RUNTIME,
        /** In-band only. */
        IN_BAND
    }

    Kind kind();

    /** Whether writes can reach a pipeline saved by VERIFY_AND_SAVE (P4Runtime: yes; in-band: no). */
    default boolean reachesSavedPipeline() {
        return kind() == Kind.P4RUNTIME;
    }

    /**
     * The cells {@code state_ports[from .. from + count - 1]}, zeros included.
     *
     * @return {@code count} values, the first for {@code from}
     */
    CompletionStage<long[]> read(int from, int count);

    /** Writes each cell of {@code cells} (state to port mask); completes with the number written. */
    CompletionStage<Integer> write(SortedMap<Integer, Long> cells);

    /**
     * Sets or clears {@code clone_flag}. Completes once the switch has applied it: every packet the
     * switch processes afterwards sees the new value.
     */
    CompletionStage<Void> setCloneFlag(boolean set);
}
