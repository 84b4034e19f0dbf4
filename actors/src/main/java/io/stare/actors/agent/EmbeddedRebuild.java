package io.stare.actors.agent;

import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.EmbeddedController;
import io.stare.p4.pipeline.PortMask;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.util.Map;

/**
 * Rebuilds an {@link EmbeddedController} from the subscriber masks a switch's
 * {@code state_forwarding} table holds (read back over P4Runtime when an agent adopts a running
 * switch: a backup taking over, or an agent restarted). The controller keeps its masks private and
 * changes them only through SUB_PUNT packet-ins, so the rebuild replays one SUB-register per
 * subscribed port, which is how the masks were built in the first place, and discards the
 * decisions (the switch has them already). Pure.
 */
final class EmbeddedRebuild {

    private static final long SOURCE_MAC = 0x02_00_00_00_00_00L;
    private static final int SOURCE_ADDRESS = 0x7f_00_00_01;
    private static final int SOURCE_PORT = 40000;

    private EmbeddedRebuild() {
    }

    /** A controller with exactly {@code masks} (state to subscriber port mask). */
    static EmbeddedController rebuild(int portCount, long treePorts, int tableCapacity, Map<Integer, Long> masks) {
        EmbeddedController controller = new EmbeddedController(portCount, treePorts, tableCapacity);
        masks.forEach((state, mask) -> {
            for (int port : PortMask.ports(mask)) {
                byte[] frame = Ethernet.wrapIpv4Multicast(SOURCE_MAC, PacketCodec.encode(new StarePacket(SOURCE_ADDRESS,
                        SOURCE_PORT, StarePacket.DEFAULT_TTL,
                        StareHeader.subscription(MessageKind.SUB_REGISTER, state, 0, 0), new byte[0])));
                controller.onPacketIn(new CpuHeaders.PacketIn(port, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0), frame);
            }
        });
        return controller;
    }
}
