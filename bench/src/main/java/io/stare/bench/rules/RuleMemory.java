package io.stare.bench.rules;

import io.stare.p4.pipeline.EmbeddedController;
import io.stare.p4.pipeline.EmbeddedPipeline;
import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.lang.management.ManagementFactory;

/**
 * Memory per installed subscription in the software switch, for both modes: the analogue of the
 * paper's Table III (BMv2 resident memory per rule: 119 B register-based, 184 B embedded).
 *
 * <p>Subscriptions are installed the way the network installs them, by SUB-register frames through
 * the pipeline (and, in embedded mode, through the local controller's decisions), one state each,
 * from ports 1..P-1 in turn. Memory is the JVM heap in use after repeated collections, so figures
 * are averages over many subscriptions and carry the JVM's object overhead honestly.
 */
public final class RuleMemory {

    /** What one run measured. */
    public record Result(int states, double registerBytesPerSlot, double registerBytesPerSubscription,
                         double embeddedSwitchBytesPerRule, double embeddedControllerBytesPerRule, int embeddedGroups) {
    }

    private static final int PORTS = 8;

    private RuleMemory() {
    }

    /** Installs {@code states} subscriptions in each mode and measures the heap they take. */
    public static Result measure(int states) {
        if (states < 1 || states > (1 << 22) - 1) {
            throw new IllegalArgumentException("states " + states + " is out of range 1..4194303");
        }
        byte[][] frames = subRegisterFrames(states);

        long base = usedHeap();
        RegisterPipeline register = new RegisterPipeline(PORTS, states);
        register.replication().installPortMaskGroups(PORTS);
        long allocated = usedHeap();
        for (int s = 0; s < states; s++) {
            register.process(1 + s % (PORTS - 1), frames[s]);
        }
        long subscribed = usedHeap();
        double perSlot = (double) (allocated - base) / states;
        double perSubscription = (double) (subscribed - allocated) / states;
        keep(register);
        register = null;

        base = usedHeap();
        EmbeddedPipeline embedded = new EmbeddedPipeline(PORTS, states);
        EmbeddedController controller = new EmbeddedController(PORTS, 0, states);
        for (int s = 0; s < states; s++) {
            for (PipelineResult.PacketInMessage packetIn : embedded.process(1 + s % (PORTS - 1), frames[s]).packetIns()) {
                if (controller.onPacketIn(packetIn) instanceof EmbeddedController.Act act) {
                    apply(embedded, act);
                }
            }
        }
        long withController = usedHeap();
        keep(controller);
        controller = null;
        long switchOnly = usedHeap();
        int groups = embedded.replication().groups().size();
        keep(embedded);
        keep(frames); // live through every measurement, so never counted as freed
        return new Result(states, perSlot, perSubscription, (double) (switchOnly - base) / states,
                (double) (withController - switchOnly) / states, groups);
    }

    private static void apply(EmbeddedPipeline pipeline, EmbeddedController.Act act) {
        for (EmbeddedController.Decision decision : act.decisions()) {
            if (decision instanceof EmbeddedController.InsertGroup g) {
                pipeline.replication().insertGroup(g.groupId(), g.replicas());
            } else if (decision instanceof EmbeddedController.DeleteGroup g) {
                pipeline.replication().deleteGroup(g.groupId());
            } else if (decision instanceof EmbeddedController.InsertEntry e) {
                pipeline.stateForwarding().insert(e.stateId(), e.groupId());
            } else if (decision instanceof EmbeddedController.ModifyEntry e) {
                pipeline.stateForwarding().modify(e.stateId(), e.groupId());
            } else if (decision instanceof EmbeddedController.DeleteEntry e) {
                pipeline.stateForwarding().delete(e.stateId());
            }
            // Transmit decisions (acks, propagation) leave the switch; they hold no memory.
        }
    }

    private static byte[][] subRegisterFrames(int states) {
        byte[][] frames = new byte[states][];
        for (int s = 0; s < states; s++) {
            frames[s] = subscriptionFrame(MessageKind.SUB_REGISTER, s);
        }
        return frames;
    }

    /**
     * The SUB-register (or SUB-remove) frame for {@code state} with which every rule-memory
     * measurement installs (or takes back) a subscription.
     */
    static byte[] subscriptionFrame(MessageKind kind, int state) {
        return Ethernet.wrapIpv4Multicast(0x02_00_00_00_00_01L, PacketCodec.encode(new StarePacket(
                0x7f000001, 40000, 64, StareHeader.subscription(kind, state, 1, 1), new byte[0])));
    }

    /** Heap in use after the collector has settled. */
    private static long usedHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static volatile Object sink;

    /** Keeps {@code o} reachable up to this call, so the collector cannot free it before we measure. */
    private static void keep(Object o) {
        sink = o;
        sink = null;
    }
}
