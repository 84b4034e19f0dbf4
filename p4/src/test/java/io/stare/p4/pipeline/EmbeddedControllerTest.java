package io.stare.p4.pipeline;

import static io.stare.p4.pipeline.StareFrames.expectedAck;
import static io.stare.p4.pipeline.StareFrames.forwarded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.p4.pipeline.EmbeddedController.Act;
import io.stare.p4.pipeline.EmbeddedController.DeleteEntry;
import io.stare.p4.pipeline.EmbeddedController.DeleteGroup;
import io.stare.p4.pipeline.EmbeddedController.Ignore;
import io.stare.p4.pipeline.EmbeddedController.InsertEntry;
import io.stare.p4.pipeline.EmbeddedController.InsertGroup;
import io.stare.p4.pipeline.EmbeddedController.ModifyEntry;
import io.stare.p4.pipeline.EmbeddedController.Transmit;
import io.stare.protocol.address.MessageKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded controller's decisions for the docs' worked example, one by one. */
class EmbeddedControllerTest {

    private static final int STATE = 100;
    private static final long TREE = 0b0000_0110;

    private final EmbeddedController controller = new EmbeddedController(8, TREE, StateGroupTable.DEFAULT_CAPACITY);

    private static List<ReplicationEngine.Replica> replicas(int... ports) {
        return java.util.Arrays.stream(ports).mapToObj(p -> new ReplicationEngine.Replica(p, 0)).toList();
    }

    private Act punt(int port, byte[] frame) {
        CpuHeaders.PacketIn header = new CpuHeaders.PacketIn(port, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0);
        return assertInstanceOf(Act.class, controller.onPacketIn(header.encode(frame)));
    }

    @Test
    void workedExampleAsDecisions() {
        byte[] register5 = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 5);
        Act first = punt(5, register5);
        assertEquals(List.of(new InsertGroup(0b10_0000, replicas(5)), new InsertEntry(STATE, 0b10_0000),
                new Transmit(1, forwarded(register5)), new Transmit(2, forwarded(register5)),
                new Transmit(5, expectedAck(register5))), first.decisions());
        assertEquals(new Act(MessageKind.SUB_REGISTER, STATE, 5, 0, 0b10_0000, 0b110, first.decisions()), first);

        // The neighbour on 1 joins: a new group for the new mask, made before the old one goes.
        byte[] register1 = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 41);
        assertEquals(List.of(new InsertGroup(0b10_0010, replicas(1, 5)), new ModifyEntry(STATE, 0b10_0010),
                new DeleteGroup(0b10_0000), new Transmit(1, expectedAck(register1))), punt(1, register1).decisions());

        byte[] remove5 = StareFrames.sub(MessageKind.SUB_REMOVE, STATE, 2, 5);
        Act third = punt(5, remove5);
        assertEquals(List.of(new InsertGroup(0b10, replicas(1)), new ModifyEntry(STATE, 0b10),
                new DeleteGroup(0b10_0010), new Transmit(1, forwarded(remove5)), new Transmit(5, expectedAck(remove5))),
                third.decisions());
        assertEquals(0b10, third.propagation());

        // Retransmission: only the ack.
        assertEquals(List.of(new Transmit(5, expectedAck(remove5))), punt(5, remove5).decisions());

        // The neighbour leaves: nothing left; neighbour 2 is told, as it counted on port 1's interest.
        byte[] remove1 = StareFrames.sub(MessageKind.SUB_REMOVE, STATE, 2, 41);
        assertEquals(List.of(new DeleteEntry(STATE), new DeleteGroup(0b10), new Transmit(1, expectedAck(remove1)),
                new Transmit(2, forwarded(remove1))), punt(1, remove1).decisions());
        assertEquals(Map.of(), controller.masks());
    }

    @Test
    void statesWithTheSameMaskShareOneGroup() {
        byte[] a = StareFrames.sub(MessageKind.SUB_REGISTER, 7, 1, 3);
        byte[] b = StareFrames.sub(MessageKind.SUB_REGISTER, 8, 2, 3);
        assertEquals(new InsertGroup(0b1000, replicas(3)), punt(3, a).decisions().get(0));
        assertEquals(new InsertEntry(8, 0b1000), punt(3, b).decisions().get(0)); // group 8 already there
        // State 7 leaves; group 0b1000 stays for state 8.
        assertEquals(List.of(new DeleteEntry(7)), punt(3, StareFrames.sub(MessageKind.SUB_REMOVE, 7, 3, 3))
                .decisions().stream().filter(d -> !(d instanceof Transmit)).toList());
        assertEquals(List.of(new DeleteEntry(8), new DeleteGroup(0b1000)),
                punt(3, StareFrames.sub(MessageKind.SUB_REMOVE, 8, 4, 3))
                        .decisions().stream().filter(d -> !(d instanceof Transmit)).toList());
        assertEquals(0b1000, EmbeddedController.groupOf(0b1000));
        assertThrows(IllegalArgumentException.class, () -> EmbeddedController.groupOf(0));
    }

    @Test
    void aFullTableRefusesNewStatesWithoutAnAck() {
        EmbeddedController small = new EmbeddedController(8, TREE, 2);
        CpuHeaders.PacketIn header = new CpuHeaders.PacketIn(3, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0);
        assertInstanceOf(Act.class, small.onPacketIn(header, StareFrames.sub(MessageKind.SUB_REGISTER, 1, 1, 3)));
        assertInstanceOf(Act.class, small.onPacketIn(header, StareFrames.sub(MessageKind.SUB_REGISTER, 2, 2, 3)));
        assertInstanceOf(Ignore.class, small.onPacketIn(header, StareFrames.sub(MessageKind.SUB_REGISTER, 3, 3, 3)));
        // Existing states still change, and a leave makes room.
        CpuHeaders.PacketIn fromPort4 = new CpuHeaders.PacketIn(4, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0);
        assertInstanceOf(Act.class, small.onPacketIn(fromPort4.encode(StareFrames.sub(MessageKind.SUB_REGISTER, 1, 4, 4))));
        assertInstanceOf(Act.class, small.onPacketIn(header, StareFrames.sub(MessageKind.SUB_REMOVE, 2, 5, 3)));
        assertInstanceOf(Act.class, small.onPacketIn(header, StareFrames.sub(MessageKind.SUB_REGISTER, 3, 6, 3)));
        assertEquals(Map.of(1, 0b11000L, 3, 0b1000L), small.masks());
    }

    @Test
    void ignoresWhatIsNotForIt() {
        byte[] register = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 3);
        assertInstanceOf(Ignore.class, controller.onPacketIn(
                new CpuHeaders.PacketIn(3, CpuHeaders.Reason.SUB_ACK, 0, 0, 0), register));
        assertInstanceOf(Ignore.class, controller.onPacketIn(
                new CpuHeaders.PacketIn(8, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0), register));
        CpuHeaders.PacketIn punt = new CpuHeaders.PacketIn(3, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0);
        assertInstanceOf(Ignore.class, controller.onPacketIn(punt, new byte[] {1, 2, 3}));
        assertInstanceOf(Ignore.class, controller.onPacketIn(punt, StareFrames.publish(STATE, 1, 3, new byte[0])));
        assertInstanceOf(Ignore.class, controller.onPacketIn(punt, StareFrames.withTtl(register, 1)));
        assertInstanceOf(Ignore.class, controller.onPacketIn(new byte[5]));
        assertEquals(Map.of(), controller.masks());
    }
}
