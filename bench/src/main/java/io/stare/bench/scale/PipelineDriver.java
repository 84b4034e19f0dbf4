package io.stare.bench.scale;

import io.stare.p4.pipeline.EmbeddedController;
import io.stare.p4.pipeline.EmbeddedPipeline;
import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.p4.pipeline.WriteResult;
import io.stare.p4.program.StareProgram;

/**
 * One software switch pipeline in one mode, driven directly (no actors, no sockets) the way the
 * network drives it: a subscription is a SUB-register frame processed by the pipeline and, in
 * embedded mode, the local controller's decision on the punted frame with its table and group
 * writes applied to the pipeline (what the switch agent does over P4Runtime, minus the RPC).
 *
 * <p>Both modes get 8 ports; subscriptions come in by ports 1..7, publishes by port 0, so every
 * publish to an installed state leaves by exactly one port. Not thread-safe.
 */
abstract class PipelineDriver {

    /** Front ports of the driven switch: port 0 for the publisher, 1..7 for subscribers. */
    static final int PORTS = 8;

    /** A driver for {@code mode} sized for {@code states} states (register capacity, table capacity). */
    static PipelineDriver of(StareProgram.Mode mode, int states) {
        return mode == StareProgram.Mode.REGISTER ? new Register(states) : new Embedded(states);
    }

    /** The port a subscription to {@code stateId} comes in by: 1..7 in turn. */
    static int subscriberPort(int stateId) {
        return 1 + stateId % (PORTS - 1);
    }

    /**
     * Processes one SUB-register frame for {@code stateId} from its subscriber port.
     *
     * @return whether the switch now forwards the state (false: refused, e.g. a full table)
     */
    abstract boolean subscribe(int stateId, byte[] subRegisterFrame);

    /** Processes one Publish frame from port 0; returns the copies the switch sends. */
    final int publish(byte[] publishFrame) {
        return pipelineProcess(0, publishFrame).emissions().size();
    }

    abstract PipelineResult pipelineProcess(int port, byte[] frame);

    /** Drops the embedded mode's local controller (its memory), keeping the switch's tables. */
    abstract void dropController();

    /** Register mode: the switch's own {@code state_ports} register does it all. */
    private static final class Register extends PipelineDriver {
        private final RegisterPipeline pipeline;

        Register(int states) {
            pipeline = new RegisterPipeline(PORTS, states);
            // What the agent installs at set-up in register mode: one group per port mask.
            pipeline.replication().installPortMaskGroups(PORTS);
        }

        @Override
        boolean subscribe(int stateId, byte[] frame) {
            // The SUB-ack and any propagation leave as emissions; the register cell is the install.
            pipeline.process(subscriberPort(stateId), frame);
            return pipeline.statePorts().read(stateId) != 0;
        }

        @Override
        PipelineResult pipelineProcess(int port, byte[] frame) {
            return pipeline.process(port, frame);
        }

        @Override
        void dropController() {
            // No local controller in register mode.
        }
    }

    /** Embedded mode: a punt, the local controller's decision, and the writes it asks for. */
    private static final class Embedded extends PipelineDriver {
        private final EmbeddedPipeline pipeline;
        private EmbeddedController controller;

        Embedded(int states) {
            pipeline = new EmbeddedPipeline(PORTS, states);
            controller = new EmbeddedController(PORTS, 0, states);
        }

        @Override
        boolean subscribe(int stateId, byte[] frame) {
            boolean installed = false;
            for (PipelineResult.PacketInMessage packetIn : pipeline.process(subscriberPort(stateId), frame).packetIns()) {
                if (controller.onPacketIn(packetIn) instanceof EmbeddedController.Act act) {
                    installed |= apply(act);
                }
            }
            return installed;
        }

        /** Applies the table and group writes in order; Transmits leave the switch and are not modelled. */
        private boolean apply(EmbeddedController.Act act) {
            boolean entry = false;
            for (EmbeddedController.Decision decision : act.decisions()) {
                WriteResult result = WriteResult.DONE;
                if (decision instanceof EmbeddedController.InsertGroup g) {
                    result = pipeline.replication().insertGroup(g.groupId(), g.replicas());
                } else if (decision instanceof EmbeddedController.DeleteGroup g) {
                    result = pipeline.replication().deleteGroup(g.groupId());
                } else if (decision instanceof EmbeddedController.InsertEntry e) {
                    result = pipeline.stateForwarding().insert(e.stateId(), e.groupId());
                    entry = result.isDone();
                } else if (decision instanceof EmbeddedController.ModifyEntry e) {
                    result = pipeline.stateForwarding().modify(e.stateId(), e.groupId());
                    entry = result.isDone();
                } else if (decision instanceof EmbeddedController.DeleteEntry e) {
                    result = pipeline.stateForwarding().delete(e.stateId());
                }
                if (!result.isDone()) {
                    throw new IllegalStateException("the switch refused " + decision + ": " + result);
                }
            }
            return entry;
        }

        @Override
        PipelineResult pipelineProcess(int port, byte[] frame) {
            return pipeline.process(port, frame);
        }

        @Override
        void dropController() {
            controller = null;
        }
    }
}
