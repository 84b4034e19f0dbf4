package io.stare.actors.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.arq.SubRetransmissions;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The copies a register-mode switch propagated, as the agent derives them for the ARQ. */
class SubFramesTest {

    private static final long TREE_PORTS = 0b110;
    private static final int PORTS = 8;

    @Test
    void aFirstSubscriberIsPropagatedToEveryTreePortWithTheTtlDecremented() {
        byte[] frame = frame(MessageKind.SUB_REGISTER, 7, 3);
        List<SubRetransmissions.Copy> copies = SubFrames.propagated(propagated(5, 7, 0b10_0000), frame, PORTS,
                TREE_PORTS);

        assertEquals(List.of(1, 2), copies.stream().map(SubRetransmissions.Copy::port).toList());
        for (SubRetransmissions.Copy copy : copies) {
            assertEquals(7, copy.stateId());
            assertEquals(3, copy.updateNo());
            assertEquals(5, copy.vnfId());
            assertArrayEquals(SubFrames.forwarded(frame), copy.frame());
        }
    }

    @Test
    void aSecondSubscriberIsNotPropagated() {
        // A subscriber behind host port 6 already: every neighbour sees interest still.
        assertTrue(SubFrames.propagated(propagated(5, 7, 0b110_0000), frame(MessageKind.SUB_REGISTER, 7, 3), PORTS,
                TREE_PORTS).isEmpty());
    }

    @Test
    void framesThatAreNotSubMessagesOrComeFromBeyondThePortsGiveNoCopies() {
        assertTrue(SubFrames.propagated(propagated(5, 7, 0b10_0000), new byte[20], PORTS, TREE_PORTS).isEmpty());
        assertTrue(SubFrames.propagated(propagated(PORTS, 7, 0b1), frame(MessageKind.SUB_REGISTER, 7, 3), PORTS,
                TREE_PORTS).isEmpty());
    }

    private static CpuHeaders.PacketIn propagated(int ingress, int state, long newMask) {
        return new CpuHeaders.PacketIn(ingress, CpuHeaders.Reason.SUB_PROPAGATED, 0, state, newMask);
    }

    /** A SUB message from the VNF whose ID is 5. */
    private static byte[] frame(MessageKind kind, int state, int update) {
        return Ethernet.wrapIpv4Multicast(0x02_00_00_00_00_05L, PacketCodec.encode(new StarePacket(0x7f000005,
                40000, 64, StareHeader.subscription(kind, state, update, 5), new byte[0])));
    }
}
