package io.stare.actors.middleware;

import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The first switch of middlewares on {@code lo}, where there is no switch: it hears SUB-registers
 * and SUB-removes (joining their groups 239.192|state and 239.128|state), feeds each one, rebuilt
 * into a frame, through the REAL register pipeline ({@link RegisterPipeline}, as a switch in
 * register mode runs it) on the port that stands for its sender, and multicasts the SUB-ack the
 * pipeline emits back on that port to the SUB-ack group, as the switch's port would put it on the
 * wire. Publishes need no switch on {@code lo}: the kernel delivers them to the joined sockets.
 */
final class LoopbackFirstSwitch implements AutoCloseable {

    private final RegisterPipeline pipeline = new RegisterPipeline();
    private final NetworkInterface loopback;
    private final DatagramChannel receiver;
    private final DatagramChannel sender;
    private final Thread thread;
    private final Map<Integer, Integer> portOfSender;
    private final Map<MessageKind, AtomicLong> acked = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    /**
     * @param portOfSender the switch port each middleware (by its sender ID, the VNF_ID of its SUB
     *     messages) is attached to
     */
    LoopbackFirstSwitch(Map<Integer, Integer> portOfSender) throws IOException {
        this.portOfSender = Map.copyOf(portOfSender);
        if (!pipeline.replication().installPortMaskGroups(8).isDone()) {
            throw new IllegalStateException("mask groups refused");
        }
        loopback = NetworkInterface.getByName(MulticastSupport.LOOPBACK);
        receiver = DatagramChannel.open(StandardProtocolFamily.INET);
        receiver.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        receiver.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), StareAddress.UDP_PORT));
        receiver.socket().setSoTimeout(50);
        sender = DatagramChannel.open(StandardProtocolFamily.INET);
        sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, loopback);
        sender.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        sender.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        thread = new Thread(this::run, "loopback-first-switch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Hears the SUB-registers and SUB-removes of {@code stateId} from now on. */
    void serve(int stateId) throws IOException {
        receiver.join(InetAddress.getByAddress(new StareAddress(MessageKind.SUB_REGISTER, stateId).toBytes()), loopback);
        receiver.join(InetAddress.getByAddress(new StareAddress(MessageKind.SUB_REMOVE, stateId).toBytes()), loopback);
    }

    /** SUB messages of {@code kind} this switch acknowledged. */
    long acked(MessageKind kind) {
        AtomicLong count = acked.get(kind);
        return count == null ? 0 : count.get();
    }

    /** The pipeline's {@code state_ports} register for {@code stateId}. */
    long statePorts(int stateId) {
        return pipeline.statePorts().read(stateId);
    }

    private void run() {
        byte[] buffer = new byte[MulticastTransport.MAX_DATAGRAM];
        long deadline = System.nanoTime() + 120_000_000_000L; // bounded, whatever the test does
        while (running && System.nanoTime() < deadline) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                receiver.socket().receive(packet);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return; // closed
            }
            try {
                handle(Arrays.copyOf(packet.getData(), packet.getLength()), (InetSocketAddress) packet.getSocketAddress());
            } catch (IOException | RuntimeException e) {
                System.err.println("loopback first switch: " + e);
            }
        }
    }

    private void handle(byte[] datagram, InetSocketAddress from) throws IOException {
        DecodeResult<StareHeader> decoded = StareHeader.read(datagram);
        if (!decoded.isOk() || !(from.getAddress() instanceof Inet4Address address)) {
            return;
        }
        StareHeader header = decoded.orElseThrow();
        Integer port = portOfSender.get(header.vnfId());
        if (header.kind() != MessageKind.SUB_REGISTER && header.kind() != MessageKind.SUB_REMOVE || port == null) {
            return;
        }
        byte[] frame = MulticastTransport.toFrame(datagram, header, address, from.getPort());
        PipelineResult result;
        synchronized (pipeline) {
            result = pipeline.process(port, frame);
        }
        for (PipelineResult.Emission emission : result.emissions()) {
            if (emission.port() != port) {
                continue; // propagation towards other switches: there are none
            }
            // The copy back to the ingress port is the SUB-ack; put its UDP payload on the wire.
            MulticastTransport.Outgoing ack = MulticastTransport.toDatagram(emission.frame(), StareAddress.UDP_PORT);
            if (ack == null) {
                throw new IllegalStateException("the pipeline emitted a frame that is not a STARE datagram");
            }
            sender.send(ByteBuffer.wrap(ack.payload()), ack.destination());
            acked.computeIfAbsent(header.kind(), k -> new AtomicLong()).incrementAndGet();
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        thread.join(2_000);
        receiver.close();
        sender.close();
    }
}
