package io.stare.actors.middleware;

import io.stare.datapath.DataPath;
import io.stare.datapath.DataPathSettings;
import io.stare.datapath.Egress;
import io.stare.datapath.Ingress;
import io.stare.datapath.PortCounters;
import io.stare.datapath.PortSpec;
import io.stare.protocol.DecodeErrorCounters;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.StareFrameEncoder;
import io.stare.protocol.packet.StareFrameFlyweight;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.address.StareAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@code tunnel} transport: one UDP socket on 127.0.0.1 (ephemeral port) that exchanges whole
 * Ethernet frames with one software-switch port. Frames go out several per datagram
 * ({@link io.stare.datapath.TunnelFraming}), which the switch port reads and mirrors back; the port
 * learns this socket as its peer from the first datagram. Datagrams from anywhere but the switch
 * port are dropped and counted as foreign.
 *
 * <pre>
 *   MAIN SEND:    log record ─ StareFrameEncoder, straight into the port's buffer ─┐
 *   MAIN RECEIVE: frame in the receive buffer ─ StareFrameFlyweight.validate ─ message   (no copy)
 * </pre>
 */
public final class TunnelTransport implements Transport {

    /** The largest UDP payload over IPv4: a longer frame cannot be one datagram. */
    public static final int MAX_DATAGRAM = io.stare.datapath.TunnelFraming.MAX_DATAGRAM;

    /**
     * The largest MTU this transport carries: a frame (the IPv4 packet plus its Ethernet header) must
     * fit one datagram after the batch's magic and its length prefix.
     */
    public static final int MAX_MTU = MAX_DATAGRAM - io.stare.datapath.TunnelFraming.MAGIC_LENGTH
            - io.stare.datapath.TunnelFraming.LENGTH_PREFIX - (StareFrameFlyweight.HEADER_LENGTH - StarePacket.OVERHEAD);

    private static final int PORT = 0;
    private static final int LOOPBACK = 0x7f000001;
    private static final long LOCAL_MAC_BASE = 0x02_00_00_00_00_00L;

    private final InetSocketAddress switchPort;
    /** The tunnel socket's local UDP port, 0 for an ephemeral one. */
    private final int localPort;
    private final DecodeErrorCounters decodeErrors;
    private final StareFrameEncoder encoder;
    private final StareFrameFlyweight flyweight = new StareFrameFlyweight();
    private final LongAdder refused = new LongAdder();
    private volatile DataPath<?> path;

    /**
     * @param switchPort the software-switch port this server is attached to
     * @param senderId the server's SUB sender ID, also the low bits of its frames' source MAC
     * @param decodeErrors where frames that do not decode are counted
     */
    TunnelTransport(InetSocketAddress switchPort, int localPort, int senderId, DecodeErrorCounters decodeErrors) {
        this.switchPort = switchPort;
        this.localPort = localPort;
        this.decodeErrors = decodeErrors;
        this.encoder = new StareFrameEncoder(LOCAL_MAC_BASE | senderId, LOOPBACK, StareAddress.UDP_PORT,
                StarePacket.DEFAULT_TTL);
    }

    @Override
    public List<PortSpec> ports(DataPathSettings settings) {
        // The switch port knows this socket (configured: --tunnel-port; else learnt), so it answers
        // here; only it is listened to. Publishes must not be lost to our own socket: a full send
        // buffer holds them until it drains.
        return List.of(PortSpec.udp("tunnel", new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort),
                        settings)
                .withPeer(new PortSpec.Fixed(switchPort, true))
                .withFraming(PortSpec.Framing.BATCH)
                .withOverflow(PortSpec.Overflow.HOLD));
    }

    @Override
    public void started(DataPath<?> path) {
        this.path = path;
    }

    @Override
    public boolean publish(Egress egress, int stateId, int vnfId, long update, int totalSegments, int segmentNo,
                           ByteBuffer payload, int offset, int length, PublishKey key) {
        int at = egress.claim(PORT, StareFrameEncoder.frameLength(length + (key == null ? 0 : PublishKey.TAG_LENGTH)));
        if (at < 0) {
            return false;
        }
        encoder.encodePublish(egress.buffer(PORT), at, stateId, update, vnfId, totalSegments, segmentNo, payload,
                offset, length, key);
        return true;
    }

    @Override
    public boolean send(Egress egress, byte[] frame) {
        if (egress.copy(PORT, ByteBuffer.wrap(frame), 0, frame.length)) {
            return true;
        }
        refused.increment();
        return false;
    }

    @Override
    public boolean read(Ingress<?> in, int frame, StareMessage message) {
        StareFrameFlyweight.Verdict verdict = flyweight.wrap(in.buffer(), in.offset(frame), in.length(frame)).validate();
        if (!verdict.isValid()) {
            decodeErrors.record(verdict.errorKind());
            return false;
        }
        message.readHeader(in.buffer(), flyweight.payloadOffset() - StareHeader.LENGTH);
        message.payloadLength = flyweight.payloadLength();
        return true;
    }

    @Override
    public InetSocketAddress localAddress() {
        DataPath<?> p = path;
        return p == null ? null : p.localAddress(PORT);
    }

    @Override
    public Counters counters() {
        DataPath<?> p = path;
        if (p == null) {
            return new Counters(0, 0, refused.sum(), 0, 0);
        }
        PortCounters c = p.counters(PORT);
        return new Counters(c.framesOut(), c.framesIn(), c.droppedOut() + refused.sum(), c.foreign(), c.malformed());
    }
}
