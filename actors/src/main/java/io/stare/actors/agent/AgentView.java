package io.stare.actors.agent;

import io.stare.actors.arq.ArqCounters;
import io.stare.p4.program.StareProgram;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A switch agent's view of its switch, as answered to {@link SwitchAgent.GetView}. Immutable.
 *
 * @param target the switch's P4Runtime address
 * @param mode the program the agent runs
 * @param connected whether the StreamChannel is open and arbitrated
 * @param primary whether this agent is the primary controller
 * @param ready whether, as primary, it has set the switch up (pipeline, base entities, state)
 * @param pipelinePushes how often this agent pushed the pipeline (adopting a switch that already
 *     runs the program is not a push)
 * @param rulesInstalled entities this agent knows on the switch: register mode, the port-mask groups,
 *     the clone session and the tree ports; embedded mode, {@code state_forwarding} entries plus
 *     multicast groups
 * @param subscriptions per state, the subscriber port mask the agent knows
 * @param installs embedded mode: how long rule installations took (packet-in to Write acknowledged)
 * @param arq the switch-to-switch ARQ's counters
 * @param reconnects how often the stream was re-established after it ended
 * @param lastError the last failure the agent saw (stream, RPC or set-up), if any
 * @param stateCapacity register mode: state slots of the pipeline the agent runs (0 in embedded mode)
 * @param reconfiguring whether a State4 reconfiguration is under way
 * @param lastReconfiguration the last State4 reconfiguration's report, if any
 * @param errors failures the agent saw: StreamChannel ends, failed P4Runtime calls, set-ups, rule
 *     installations and reconfigurations ({@code lastError} is the latest)
 */
public record AgentView(String target, StareProgram.Mode mode, boolean connected, boolean primary, boolean ready,
                        int pipelinePushes, int rulesInstalled, SortedMap<Integer, Long> subscriptions,
                        InstallTimes installs, ArqCounters arq, int reconnects, Optional<String> lastError,
                        int stateCapacity, boolean reconfiguring,
                        Optional<ReconfigurationReport> lastReconfiguration, long errors) {

    public AgentView {
        subscriptions = Collections.unmodifiableSortedMap(new TreeMap<>(subscriptions));
    }

    /**
     * Rule installation times of the embedded mode, from the SUB_PUNT packet-in to the last Write
     * of its decisions acknowledged.
     *
     * @param count installations measured
     * @param last the most recent one
     * @param mean their mean
     * @param max the longest
     */
    public record InstallTimes(long count, Duration last, Duration mean, Duration max) {
        /** No installation yet. */
        public static final InstallTimes NONE = new InstallTimes(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

        /** These times plus one more installation. */
        public InstallTimes plus(Duration took) {
            long n = count + 1;
            return new InstallTimes(n, took, mean.multipliedBy(count).plus(took).dividedBy(n),
                    took.compareTo(max) > 0 ? took : max);
        }
    }
}
