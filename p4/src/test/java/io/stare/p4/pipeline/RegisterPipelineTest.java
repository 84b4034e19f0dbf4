package io.stare.p4.pipeline;

import static io.stare.p4.pipeline.StareFrames.expectedAck;
import static io.stare.p4.pipeline.StareFrames.forwarded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StarePacket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One register-mode switch with 8 ports, tree ports 1 and 2, hosts elsewhere: the docs' worked
 * example, checked frame by frame.
 */
class RegisterPipelineTest {

    private static final int STATE = 100;
    private static final long TREE = 0b0000_0110;

    private RegisterPipeline pipeline;

    @BeforeEach
    void setUp() {
        pipeline = new RegisterPipeline();
        assertTrue(pipeline.replication().installPortMaskGroups(8).isDone());
        pipeline.setTreePorts(TREE);
    }

    private static PipelineResult.Emission emission(int port, byte[] frame) {
        return new PipelineResult.Emission(port, frame);
    }

    private static PipelineResult.PacketInMessage packetIn(int port, CpuHeaders.Reason reason, long index, long value,
                                                           byte[] payload) {
        return new PipelineResult.PacketInMessage(new CpuHeaders.PacketIn(port, reason, 0, index, value), payload);
    }

    @Test
    void workedExampleFrameByFrame() {
        // Host on 5 registers: ack to 5, the SUB-register on to both tree ports, SUB_PROPAGATED to the CPU.
        byte[] register5 = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 5);
        PipelineResult first = pipeline.process(5, register5);
        assertEquals(List.of(emission(1, forwarded(register5)), emission(2, forwarded(register5)),
                emission(5, expectedAck(register5))), first.emissions());
        // SUB_PROPAGATED carries the new mask; the agent derives the propagation from it.
        assertEquals(List.of(packetIn(5, CpuHeaders.Reason.SUB_PROPAGATED, STATE, 0b10_0000, register5)),
                first.packetIns());
        assertEquals(Optional.empty(), first.drop());
        assertEquals(0b0010_0000, pipeline.statePorts().read(STATE));

        // Neighbour on 1 registers: acked, nothing propagated.
        byte[] register1 = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 41);
        PipelineResult second = pipeline.process(1, register1);
        assertEquals(List.of(emission(1, expectedAck(register1))), second.emissions());
        assertEquals(List.of(), second.packetIns());
        assertEquals(0b0010_0010, pipeline.statePorts().read(STATE));

        // Host on 5 removes: only neighbour 1 hears of it.
        byte[] remove5 = StareFrames.sub(MessageKind.SUB_REMOVE, STATE, 2, 5);
        PipelineResult third = pipeline.process(5, remove5);
        assertEquals(List.of(emission(1, forwarded(remove5)), emission(5, expectedAck(remove5))), third.emissions());
        assertEquals(List.of(packetIn(5, CpuHeaders.Reason.SUB_PROPAGATED, STATE, 0b10, remove5)), third.packetIns());
        assertEquals(0b0000_0010, pipeline.statePorts().read(STATE));

        // Retransmitted remove: acked again (the ARQ needs it), nothing else.
        PipelineResult fourth = pipeline.process(5, remove5);
        assertEquals(List.of(emission(5, expectedAck(remove5))), fourth.emissions());
        assertEquals(List.of(), fourth.packetIns());
        assertEquals(0b0000_0010, pipeline.statePorts().read(STATE));
        assertEquals(0, pipeline.drops().total());
    }

    @Test
    void theAckIsTheSubWithKindOneAndNoUdpChecksum() {
        byte[] remove = StareFrames.sub(MessageKind.SUB_REMOVE, 1234, 77, 9);
        pipeline.process(3, StareFrames.sub(MessageKind.SUB_REGISTER, 1234, 76, 9));
        byte[] ack = pipeline.process(3, remove).emissions().stream().filter(e -> e.port() == 3)
                .findFirst().orElseThrow().frame();
        StarePacket decoded = StareFrames.decode(ack); // IPv4 checksum verifies; UDP checksum 0 is accepted
        assertEquals(MessageKind.SUB_ACK, decoded.header().kind());
        assertEquals(MessageKind.SUB_ACK, decoded.destination().kind());
        assertEquals(1234, decoded.header().stateId());
        assertEquals(77, decoded.header().updateNo()); // the ack names the request it answers
        assertEquals(9, decoded.header().vnfId());
        assertEquals(63, decoded.ttl());
        assertEquals(0, ack[StareFrames.UDP + 6] | ack[StareFrames.UDP + 7]);
        // Destination address 239.64.4.210 (M_K 01) and its multicast MAC 01:00:5e:40:04:d2; the
        // source MAC and EtherType are untouched.
        assertEquals(0xef4004d2, ByteBuffer.wrap(ack).getInt(StareFrames.IP + 16));
        assertArrayEquals(new byte[] {0x01, 0x00, 0x5e, 0x40, 0x04, (byte) 0xd2}, java.util.Arrays.copyOf(ack, 6));
        assertArrayEquals(java.util.Arrays.copyOfRange(remove, 6, 14), java.util.Arrays.copyOfRange(ack, 6, 14));
    }

    @Test
    void publishGoesToTheMaskMinusTheIngressPort() {
        pipeline.process(5, StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 5));
        pipeline.process(1, StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 41));
        byte[] publish = StareFrames.publish(STATE, 9, 3, "state".getBytes(StandardCharsets.US_ASCII));

        PipelineResult fromHost = pipeline.process(3, publish);
        assertEquals(List.of(emission(1, forwarded(publish)), emission(5, forwarded(publish))), fromHost.emissions());
        StarePacket copy = StareFrames.decode(fromHost.emissions().get(0).frame());
        assertEquals(63, copy.ttl());
        assertArrayEquals("state".getBytes(StandardCharsets.US_ASCII), copy.payload());

        assertEquals(List.of(emission(1, forwarded(publish))), pipeline.process(5, publish).emissions());
        assertEquals(List.of(emission(5, forwarded(publish))), pipeline.process(1, publish).emissions());
        assertEquals(List.of(), pipeline.process(3, publish).packetIns());
        assertEquals(0, pipeline.drops().total());
    }

    @Test
    void publishWithNobodyElseIsDroppedAsNoSubscriber() {
        byte[] publish = StareFrames.publish(STATE, 1, 3, new byte[0]);
        assertEquals(Optional.of(DropReason.NO_SUBSCRIBER), pipeline.process(3, publish).drop());
        pipeline.process(3, StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 3));
        // The only subscriber is the publisher's own port.
        assertEquals(Optional.of(DropReason.NO_SUBSCRIBER), pipeline.process(3, publish).drop());
        assertEquals(2, pipeline.drops().count(DropReason.NO_SUBSCRIBER));
        assertEquals(1, pipeline.process(4, publish).emissions().size());
    }

    @Test
    void subAckGoesToTheCpuOnly() {
        byte[] ack = StareFrames.expectedAck(StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 3, 41));
        PipelineResult result = pipeline.process(2, ack);
        assertEquals(List.of(), result.emissions());
        assertEquals(List.of(packetIn(2, CpuHeaders.Reason.SUB_ACK, 0, 0, ack)), result.packetIns());
        assertEquals(0, pipeline.statePorts().read(STATE));
    }

    @Test
    void duplicateRegisterIsAckedButNotPropagated() {
        byte[] register = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 4);
        assertEquals(3, pipeline.process(4, register).emissions().size());
        PipelineResult again = pipeline.process(4, register);
        assertEquals(List.of(emission(4, expectedAck(register))), again.emissions());
        assertEquals(List.of(), again.packetIns());
        assertEquals(0b1_0000, pipeline.statePorts().read(STATE));
    }

    @Test
    void severalSubscribersKeepTheStateUntilTheLastLeaves() {
        // Hosts on 4 and 6; a neighbour on 1 aggregates its own subscribers into one registration.
        pipeline.process(4, StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 4));
        pipeline.process(6, StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 6));
        pipeline.process(1, StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 41));
        assertEquals(0b0101_0010, pipeline.statePorts().read(STATE));

        // 4 leaves: two others remain, no neighbour's view changes.
        PipelineResult leave4 = pipeline.process(4, StareFrames.sub(MessageKind.SUB_REMOVE, STATE, 2, 4));
        assertEquals(List.of(4), leave4.emissions().stream().map(PipelineResult.Emission::port).toList());
        // 6 leaves: only neighbour 1 remains, and it alone loses "everything but 1".
        PipelineResult leave6 = pipeline.process(6, StareFrames.sub(MessageKind.SUB_REMOVE, STATE, 2, 6));
        assertEquals(List.of(1, 6), leave6.emissions().stream().map(PipelineResult.Emission::port).toList());
        assertEquals(MessageKind.SUB_REMOVE, StareFrames.decode(leave6.emissions().get(0).frame()).header().kind());
        // Neighbour 1 leaves: no interest anywhere now. Neighbour 2, told of the first registration
        // and still counting on port 1's interest, is told to remove; 1 gets its ack.
        byte[] remove1 = StareFrames.sub(MessageKind.SUB_REMOVE, STATE, 2, 41);
        PipelineResult leave1 = pipeline.process(1, remove1);
        assertEquals(List.of(emission(1, expectedAck(remove1)), emission(2, forwarded(remove1))), leave1.emissions());
        assertEquals(List.of(packetIn(1, CpuHeaders.Reason.SUB_PROPAGATED, STATE, 0, remove1)), leave1.packetIns());
        assertEquals(0, pipeline.statePorts().read(STATE));
    }

    @Test
    void cloneFlagReportsEveryChange() {
        assertTrue(pipeline.processPacketOut(new CpuHeaders.PacketOut(CpuHeaders.Op.SET_CLONE_FLAG, 0, 0, 1),
                new byte[0]).emissions().isEmpty());
        assertTrue(pipeline.cloneFlag());
        byte[] register = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 4);
        PipelineResult changed = pipeline.process(4, register);
        // One packet-in per change (v1model clones once): a propagating change reports as SUB_PROPAGATED.
        assertEquals(List.of(packetIn(4, CpuHeaders.Reason.SUB_PROPAGATED, STATE, 0b1_0000, register)),
                changed.packetIns());
        // A duplicate changes nothing here, but is reported while cloning all the same (State4).
        assertEquals(List.of(packetIn(4, CpuHeaders.Reason.STATE_CHANGED, STATE, 0b1_0000, register)),
                pipeline.process(4, register).packetIns());
        byte[] neighbour = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 41);
        assertEquals(List.of(packetIn(1, CpuHeaders.Reason.STATE_CHANGED, STATE, 0b1_0010, neighbour)),
                pipeline.process(1, neighbour).packetIns());

        pipeline.processPacketOut(new CpuHeaders.PacketOut(CpuHeaders.Op.SET_CLONE_FLAG, 0, 0, 0).encode());
        assertFalse(pipeline.cloneFlag());
        assertEquals(List.of(), pipeline.process(1, StareFrames.sub(MessageKind.SUB_REMOVE, STATE, 2, 41)).packetIns());
    }

    @Test
    void ttlIsDecrementedAndExpiresBeforeAnyEffect() {
        byte[] register = StareFrames.withTtl(StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 4), 1);
        assertEquals(Optional.of(DropReason.TTL_EXPIRED), pipeline.process(4, register).drop());
        assertEquals(0, pipeline.statePorts().read(STATE));
        assertEquals(Optional.of(DropReason.TTL_EXPIRED),
                pipeline.process(4, StareFrames.withTtl(register, 0)).drop());

        byte[] lastHop = StareFrames.withTtl(StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 4), 2);
        PipelineResult result = pipeline.process(4, lastHop);
        assertEquals(3, result.emissions().size());
        result.emissions().forEach(e -> assertEquals(1, StareFrames.decode(e.frame()).ttl()));

        byte[] publish = StareFrames.withTtl(StareFrames.publish(STATE, 1, 3, new byte[0]), 1);
        assertEquals(Optional.of(DropReason.TTL_EXPIRED), pipeline.process(3, publish).drop());
        assertEquals(3, pipeline.drops().count(DropReason.TTL_EXPIRED));
        assertEquals(3, pipeline.drops().count(3));
    }

    @Test
    void stateIdsAtOrAboveTheCapacityAreDropped() {
        for (MessageKind kind : MessageKind.values()) {
            byte[] frame = kind == MessageKind.PUBLISH
                    ? StareFrames.publish(2048, 1, 3, new byte[0])
                    : StareFrames.sub(kind, 2048, 1, 3);
            assertEquals(Optional.of(DropReason.STATE_OUT_OF_RANGE), pipeline.process(3, frame).drop(), kind.name());
        }
        assertEquals(4, pipeline.drops().count(DropReason.STATE_OUT_OF_RANGE));
        assertEquals(3, pipeline.process(3, StareFrames.sub(MessageKind.SUB_REGISTER, 2047, 1, 3)).emissions().size());
    }

    @Test
    void withoutItsGroupACopyGoesNowhere() {
        RegisterPipeline bare = new RegisterPipeline();
        bare.setTreePorts(TREE);
        PipelineResult result = bare.process(4, StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 4));
        assertEquals(List.of(), result.emissions());
        assertEquals(1, result.packetIns().size()); // SUB_PROPAGATED still reaches the CPU
        assertEquals(0b1_0000, bare.statePorts().read(STATE));
        assertFalse(result.isDropped());
    }

    @Test
    void otherIpv4IsRoutedByLongestPrefix() {
        Ipv4Lpm lpm = pipeline.ipv4Lpm();
        assertTrue(lpm.insert(new Ipv4Lpm.Prefix(0x0a000000, 8), new Ipv4Lpm.Forward(6)).isDone());
        assertTrue(lpm.insert(new Ipv4Lpm.Prefix(0x0a010000, 16), new Ipv4Lpm.Forward(7)).isDone());
        assertTrue(lpm.insert(new Ipv4Lpm.Prefix(0x0a020000, 16), new Ipv4Lpm.Drop()).isDone());
        byte[] toNet8 = StareFrames.udp(0x0b000001, 0x0a050505, 5000, new byte[] {1});
        assertEquals(List.of(emission(6, forwarded(toNet8))), pipeline.process(0, toNet8).emissions());
        byte[] toNet16 = StareFrames.udp(0x0b000001, 0x0a010101, 5000, new byte[] {1});
        assertEquals(List.of(emission(7, forwarded(toNet16))), pipeline.process(0, toNet16).emissions());
        assertEquals(Optional.of(DropReason.NO_ROUTE),
                pipeline.process(0, StareFrames.udp(0x0b000001, 0x0a020202, 5000, new byte[0])).drop());
        assertEquals(Optional.of(DropReason.NO_ROUTE),
                pipeline.process(0, StareFrames.udp(0x0b000001, 0x0c000001, 5000, new byte[0])).drop());
        // UDP towards 239/8 but not to port 65432 is not STARE: routed like any other packet.
        assertEquals(Optional.of(DropReason.NO_ROUTE),
                pipeline.process(0, StareFrames.udp(0x0b000001, 0xef003039, 5000, new byte[0])).drop());
        assertEquals(Optional.of(DropReason.TTL_EXPIRED),
                pipeline.process(0, StareFrames.withTtl(toNet8, 1)).drop());
        assertEquals(3, pipeline.drops().count(DropReason.NO_ROUTE));
    }

    @Test
    void readAndWriteTheRegisterInBand() {
        byte[] values = ByteBuffer.allocate(8).putInt(0b1).putInt(0b1000_0001).array();
        PipelineResult written = pipeline.processPacketOut(
                new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 2, 10).encode(values));
        CpuHeaders.PacketIn confirm = new CpuHeaders.PacketIn(CpuHeaders.CPU_PORT, CpuHeaders.Reason.REGISTER_VALUES,
                2, 10, 0);
        assertEquals(List.of(new PipelineResult.PacketInMessage(confirm, values)), written.packetIns());
        assertEquals(0b1000_0001, pipeline.statePorts().read(11));

        PipelineResult read = pipeline.processPacketOut(new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 3, 9), new byte[0]);
        CpuHeaders.PacketIn answer = new CpuHeaders.PacketIn(CpuHeaders.CPU_PORT, CpuHeaders.Reason.REGISTER_VALUES,
                3, 9, 0);
        assertEquals(List.of(new PipelineResult.PacketInMessage(answer,
                ByteBuffer.allocate(12).putInt(0).putInt(1).putInt(0b1000_0001).array())), read.packetIns());

        PipelineResult last = pipeline.processPacketOut(new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 8, 2040),
                new byte[0]);
        assertEquals(32, last.packetIns().get(0).payload().length);
        assertEquals(0, pipeline.drops().total());
    }

    @Test
    void forwardSendsThePayloadAsIs() {
        byte[] frame = StareFrames.publish(STATE, 1, 3, new byte[] {1, 2});
        assertEquals(List.of(emission(7, frame)),
                pipeline.processPacketOut(CpuHeaders.PacketOut.forward(7).encode(frame)).emissions());
    }
}
