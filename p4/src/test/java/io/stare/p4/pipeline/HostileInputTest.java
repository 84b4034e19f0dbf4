package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.Ethernet;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Broken, truncated and forged input is dropped and counted, never thrown on, and leaves no trace. */
class HostileInputTest {

    private static final int STATE = 100;

    private static RegisterPipeline registerPipeline() {
        RegisterPipeline pipeline = new RegisterPipeline();
        assertTrue(pipeline.replication().installPortMaskGroups(8).isDone());
        pipeline.setTreePorts(0b110);
        return pipeline;
    }

    private static void assertDropped(Pipeline pipeline, DropReason reason, byte[] frame) {
        long before = pipeline.drops().count(reason);
        assertEquals(Optional.of(reason), pipeline.process(3, frame).drop());
        assertEquals(before + 1, pipeline.drops().count(reason));
    }

    /** After the hostile input, a publish to a subscribed state goes out normally. */
    private static void assertStillWorks(Pipeline pipeline) {
        byte[] publish = StareFrames.publish(7, 1, 3, new byte[] {42});
        if (pipeline instanceof RegisterPipeline register) {
            register.statePorts().write(7, 0b100);
        } else {
            EmbeddedPipeline embedded = (EmbeddedPipeline) pipeline;
            embedded.replication().insertGroup(0b100, ReplicationEngine.replicasOf(0b100));
            embedded.stateForwarding().insert(7, 0b100);
        }
        assertEquals(List.of(new PipelineResult.Emission(2, StareFrames.forwarded(publish))),
                pipeline.process(3, publish).emissions());
    }

    @Test
    void everyTruncationIsDropped() {
        byte[] frame = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 3);
        for (Pipeline pipeline : List.of(registerPipeline(), new EmbeddedPipeline())) {
            for (int length = 0; length < frame.length; length++) {
                DropReason reason = length < Ethernet.HEADER_LENGTH ? DropReason.BAD_ETHERNET : DropReason.MALFORMED;
                assertDropped(pipeline, reason, Arrays.copyOf(frame, length));
            }
            assertEquals(frame.length, pipeline.drops().total());
            assertStillWorks(pipeline);
        }
    }

    @Test
    void everySingleBitFlipIsDroppedUnlessThePacketStaysValid() {
        byte[] frame = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 3);
        int valid = 0;
        for (int bit = 0; bit < 8 * frame.length; bit++) {
            byte[] flipped = frame.clone();
            flipped[bit / 8] ^= (byte) (0x80 >>> bit % 8);
            boolean stillStare = StareFrames.tryDecode(flipped).isOk();
            RegisterPipeline register = registerPipeline();
            PipelineResult result = register.process(3, flipped);
            assertEquals(!stillStare, result.isDropped(), "bit " + bit);
            if (!stillStare) {
                assertEquals(0, register.statePorts().read(STATE), "bit " + bit);
                assertEquals(1, register.drops().total());
            } else {
                valid++;
            }
            assertEquals(!stillStare, new EmbeddedPipeline().process(3, flipped).isDropped(), "bit " + bit);
        }
        assertTrue(valid >= 96, "the 96 MAC address bits are not checked"); // and nothing else matters
    }

    @Test
    void wrongChecksumsAreMalformed() {
        byte[] frame = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 3);
        for (Pipeline pipeline : List.of(registerPipeline(), new EmbeddedPipeline())) {
            byte[] badIp = frame.clone();
            badIp[StareFrames.IP + 10] ^= 1;
            assertDropped(pipeline, DropReason.MALFORMED, badIp);
            byte[] badUdp = frame.clone();
            badUdp[StareFrames.UDP + 6] ^= 1;
            assertDropped(pipeline, DropReason.MALFORMED, badUdp);
            byte[] noUdpChecksum = frame.clone();
            noUdpChecksum[StareFrames.UDP + 6] = 0;
            noUdpChecksum[StareFrames.UDP + 7] = 0;
            assertFalse(pipeline.process(3, noUdpChecksum).isDropped(), "0 means not computed");
            assertStillWorks(pipeline);
        }
    }

    @Test
    void stareHeadersThatDisagreeOrAreMissingAreMalformed() {
        byte[] frame = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 3);
        for (Pipeline pipeline : List.of(registerPipeline(), new EmbeddedPipeline())) {
            byte[] otherKind = frame.clone();
            otherKind[StareFrames.STARE] &= 0x3f; // header says Publish, address says SUB-register
            assertDropped(pipeline, DropReason.MALFORMED, StareFrames.fixChecksums(otherKind));
            byte[] otherState = frame.clone();
            otherState[StareFrames.STARE + 2] ^= 1;
            assertDropped(pipeline, DropReason.MALFORMED, StareFrames.fixChecksums(otherState));
            byte[] badSegment = frame.clone();
            badSegment[StareFrames.STARE + 7] = 5; // SEGM_NO 5 of TOT_SEG 1
            assertDropped(pipeline, DropReason.MALFORMED, StareFrames.fixChecksums(badSegment));
            byte[] fragment = frame.clone();
            fragment[StareFrames.IP + 6] |= 0x20; // more fragments
            assertDropped(pipeline, DropReason.MALFORMED, StareFrames.fixChecksums(fragment));
            // UDP to 65432 towards 239/8 with no room for a STARE header.
            assertDropped(pipeline, DropReason.MALFORMED, StareFrames.udp(0x0a000003, 0xefc00064, 65432, new byte[4]));
            assertDropped(pipeline, DropReason.MALFORMED, StareFrames.udp(0x0a000003, 0xefc00064, 65432, new byte[0]));
            byte[] ipv6Inside = frame.clone();
            ipv6Inside[StareFrames.IP] = 0x65;
            assertDropped(pipeline, DropReason.MALFORMED, ipv6Inside);
            assertEquals(7, pipeline.drops().count(0));
            assertStillWorks(pipeline);
        }
    }

    @Test
    void framesThatAreNotIpv4AreCountedApart() {
        for (Pipeline pipeline : List.of(registerPipeline(), new EmbeddedPipeline())) {
            assertDropped(pipeline, DropReason.NOT_IPV4, Ethernet.wrap(0xffffffffffffL, 1, 0x0806, new byte[28]));
            assertDropped(pipeline, DropReason.NOT_IPV4, Ethernet.wrap(1, 1, 0x86dd, new byte[60]));
            byte[] llc = new byte[64];
            llc[13] = 46; // an 802.3 length
            assertDropped(pipeline, DropReason.BAD_ETHERNET, llc);
            assertDropped(pipeline, DropReason.BAD_ETHERNET, new byte[0]);
            assertEquals(2, pipeline.drops().count(5));
            assertEquals(2, pipeline.drops().count(6));
            assertStillWorks(pipeline);
        }
    }

    @Test
    void badPacketOutsAreDroppedAndChangeNothing() {
        RegisterPipeline pipeline = registerPipeline();
        byte[] frame = StareFrames.publish(STATE, 1, 3, new byte[0]);
        List<byte[]> bad = List.of(
                new byte[0], new byte[7],
                new byte[] {4, 0, 0, 1, 0, 0, 0, 0}, new byte[] {(byte) 255, 0, 0, 1, 0, 0, 0, 0},
                new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 0, 0).encode(),
                new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 9, 0).encode(),
                new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 2, 2047).encode(),
                new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 1, CpuHeaders.MAX_WORD).encode(),
                new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 2, 0).encode(new byte[4]),
                new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 1, 0).encode(new byte[5]),
                new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 2, 0).encode(
                        ByteBuffer.allocate(8).putInt(1).putInt(0x100).array()), // 9 ports' worth on an 8-port switch
                new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 1, 2048).encode(new byte[4]),
                new CpuHeaders.PacketOut(CpuHeaders.Op.SET_CLONE_FLAG, 0, 0, 2).encode(),
                CpuHeaders.PacketOut.forward(8).encode(frame),
                CpuHeaders.PacketOut.forward(CpuHeaders.CPU_PORT).encode(frame),
                CpuHeaders.PacketOut.forward(0).encode());
        for (byte[] message : bad) {
            assertEquals(Optional.of(DropReason.BAD_PACKET_OUT), pipeline.processPacketOut(message).drop(),
                    Arrays.toString(message));
        }
        assertEquals(bad.size(), pipeline.drops().count(DropReason.BAD_PACKET_OUT));
        assertEquals(bad.size(), pipeline.drops().total());
        assertEquals(0, pipeline.statePorts().read(0), "a refused WRITE writes nothing");
        assertFalse(pipeline.cloneFlag());
        // A good one right after.
        PipelineResult read = pipeline.processPacketOut(new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 1, 0).encode());
        assertArrayEquals(new byte[4], read.packetIns().get(0).payload());
        assertStillWorks(pipeline);
    }

    @Test
    void anIngressPortOffTheSwitchIsACallerBug() {
        byte[] frame = StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 3);
        assertThrows(IllegalArgumentException.class, () -> registerPipeline().process(8, frame));
        assertThrows(IllegalArgumentException.class, () -> new EmbeddedPipeline().process(-1, frame));
    }
}
