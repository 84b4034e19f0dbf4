package io.stare.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.EmbeddedController;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedRebuildTest {

    @Test
    void theRebuiltControllerHasTheMasksAndCarriesOnFromThem() {
        EmbeddedController controller = EmbeddedRebuild.rebuild(8, 0b110, 64, Map.of(7, 0b101L, 9, 0b101L, 11, 0b010L));
        assertEquals(Map.of(7, 0b101L, 9, 0b101L, 11, 0b010L), controller.masks());

        // Group 0b101 is shared by two states: the last one leaving deletes it, the first does not.
        EmbeddedController.Act first = assertInstanceOf(EmbeddedController.Act.class, remove(controller, 7, 0));
        assertEquals(List.of(new EmbeddedController.InsertGroup(0b100, List.of(new io.stare.p4.pipeline
                .ReplicationEngine.Replica(2, 0))), new EmbeddedController.ModifyEntry(7, 0b100)),
                first.decisions().stream().filter(d -> !(d instanceof EmbeddedController.Transmit)).toList());
        EmbeddedController.Act second = assertInstanceOf(EmbeddedController.Act.class, remove(controller, 9, 0));
        assertEquals(List.of(new EmbeddedController.ModifyEntry(9, 0b100), new EmbeddedController.DeleteGroup(0b101)),
                second.decisions().stream().filter(d -> !(d instanceof EmbeddedController.Transmit)
                        && !(d instanceof EmbeddedController.InsertGroup)).toList());
    }

    private static EmbeddedController.Reaction remove(EmbeddedController controller, int state, int port) {
        byte[] frame = Ethernet.wrapIpv4Multicast(0x02_00_00_00_00_01L, PacketCodec.encode(new StarePacket(0x7f000001,
                40000, 64, StareHeader.subscription(MessageKind.SUB_REMOVE, state, 1, 1), new byte[0])));
        return controller.onPacketIn(new CpuHeaders.PacketIn(port, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0), frame);
    }
}
