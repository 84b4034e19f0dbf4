package io.stare.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.arq.SubRetransmissions;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.EmbeddedController;
import io.stare.p4.program.StareProgram;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import p4.v1.Update;

/** The embedded install queue's ordering, driven by a hand-held clock (nanoseconds). */
class InstallQueueTest {

    private static final long TREE_PORTS = 0b110;
    private static final int HOST_PORT = 5;

    private final AtomicLong now = new AtomicLong();
    private final InstallQueue queue = new InstallQueue(now::get);
    private final EmbeddedController controller = new EmbeddedController(8, TREE_PORTS, 64);

    @Test
    void oneInstallationAtATimeInArrivalOrder() {
        EmbeddedController.Act first = register(7, 1);
        EmbeddedController.Act second = register(8, 1);
        assertEquals(first, queue.add(first, now.get()).orElseThrow().act(), "idle: starts at once");
        assertTrue(queue.add(second, now.get()).isEmpty(), "waits for the first");
        assertTrue(queue.next().isEmpty(), "still under way");

        queue.completed();
        assertEquals(second, queue.next().orElseThrow().act());
        assertTrue(queue.next().isEmpty());
    }

    @Test
    void packetOutsAreReleasedOnlyWithTheAcknowledgementAndInTheControllersOrder() {
        EmbeddedController.Act act = register(7, 3);
        queue.add(act, 1_000);
        now.set(5_000);
        InstallQueue.Completion done = queue.completed();

        assertEquals(act.decisions().stream().filter(EmbeddedController.Transmit.class::isInstance).toList(),
                done.packetOuts());
        assertEquals(Duration.ofNanos(4_000), done.took(), "from the packet-in to the acknowledgement");
    }

    @Test
    void theCopiesToTreeNeighboursGoToTheArqAndTheSubAckDoesNot() {
        queue.add(register(7, 3), now.get());
        List<SubRetransmissions.Copy> copies = queue.completed().propagated();

        assertEquals(List.of(1, 2), copies.stream().map(SubRetransmissions.Copy::port).toList());
        for (SubRetransmissions.Copy copy : copies) {
            assertEquals(7, copy.stateId());
            assertEquals(3, copy.updateNo());
            assertEquals(HOST_PORT, copy.vnfId());
        }
    }

    @Test
    void theWritesFollowTheDecisionsGroupBeforeEntryAndLeaveTheTransmitsOut() {
        List<Update> writes = InstallQueue.writes(P4Entities.of(StareProgram.Mode.EMBEDDED), register(7, 1));

        assertEquals(List.of(Update.Type.INSERT, Update.Type.INSERT), writes.stream().map(Update::getType).toList());
        assertTrue(writes.get(0).getEntity().hasPacketReplicationEngineEntry(), "the group first");
        assertTrue(writes.get(1).getEntity().hasTableEntry(), "then the entry that uses it");
    }

    @Test
    void clearingDropsWhatIsQueuedAndUnderWay() {
        queue.add(register(7, 1), now.get());
        queue.add(register(8, 1), now.get());
        queue.clear();
        assertEquals(0, queue.size());
        assertThrows(IllegalStateException.class, queue::completed);
        EmbeddedController.Act later = register(9, 1);
        assertEquals(later, queue.add(later, now.get()).orElseThrow().act(), "idle again");
    }

    /** A SUB-register from the host behind {@link #HOST_PORT} (its VNF ID is the port number). */
    private EmbeddedController.Act register(int state, int update) {
        byte[] frame = Ethernet.wrapIpv4Multicast(0x02_00_00_00_00_05L, PacketCodec.encode(new StarePacket(0x7f000005,
                40000, 64, StareHeader.subscription(MessageKind.SUB_REGISTER, state, update, HOST_PORT), new byte[0])));
        return assertInstanceOf(EmbeddedController.Act.class, controller.onPacketIn(
                new CpuHeaders.PacketIn(HOST_PORT, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0), frame));
    }
}
