package io.stare.actors.middleware;

import io.stare.datapath.TunnelFraming;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.frame.ServerFrames;
import io.stare.protocol.packet.StarePacket;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A link with loss between a middleware and its switch port: two loopback sockets and two threads
 * that copy datagrams across, dropping the frames a predicate picks (a datagram of several frames
 * goes on with the others). The middleware sends to
 * {@link #serverSide()}; the switch port learns {@code switchSide} as its peer.
 */
final class LossyRelay implements AutoCloseable {

    private final DatagramSocket towardsServer;
    private final DatagramSocket towardsSwitch;
    private final InetSocketAddress switchPort;
    private volatile InetSocketAddress server;
    private final AtomicLong droppedDown = new AtomicLong();
    private final AtomicLong droppedUp = new AtomicLong();
    private final Thread up;
    private final Thread down;

    /**
     * @param dropUp decides on each frame from the server to the switch
     * @param dropDown decides on each frame from the switch to the server (called on one thread)
     */
    LossyRelay(InetSocketAddress switchPort, Predicate<byte[]> dropUp, Predicate<byte[]> dropDown) throws SocketException {
        this.switchPort = switchPort;
        this.towardsServer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.towardsSwitch = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        for (DatagramSocket socket : new DatagramSocket[] {towardsServer, towardsSwitch}) {
            socket.setReceiveBufferSize(4 << 20);
        }
        this.up = new Thread(() -> copy(towardsServer, true, dropUp), "relay-up");
        this.down = new Thread(() -> copy(towardsSwitch, false, dropDown), "relay-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
    }

    /** Where the middleware sends its frames. */
    InetSocketAddress serverSide() {
        return (InetSocketAddress) towardsServer.getLocalSocketAddress();
    }

    /** Sends a datagram to the server as if the switch had sent it (the server must have spoken first). */
    void injectDown(byte[] frame) throws IOException {
        towardsServer.send(new DatagramPacket(frame, frame.length, server));
    }

    long droppedDown() {
        return droppedDown.get();
    }

    long droppedUp() {
        return droppedUp.get();
    }

    private void copy(DatagramSocket from, boolean upwards, Predicate<byte[]> drop) {
        byte[] buffer = new byte[65535];
        while (!from.isClosed()) {
            try {
                DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
                from.receive(datagram);
                if (upwards) {
                    server = (InetSocketAddress) datagram.getSocketAddress();
                }
                // A datagram may carry several frames: each is kept or dropped on its own.
                List<byte[]> kept = new ArrayList<>();
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, datagram.getLength());
                TunnelFraming.Verdict verdict = TunnelFraming.scan(bytes, 0, datagram.getLength(), (offset, length) -> {
                    byte[] frame = Arrays.copyOfRange(buffer, offset, offset + length);
                    if (drop.test(frame)) {
                        (upwards ? droppedUp : droppedDown).incrementAndGet();
                    } else {
                        kept.add(frame);
                    }
                });
                InetSocketAddress to = upwards ? switchPort : server;
                if (to == null || kept.isEmpty()) {
                    continue;
                }
                byte[] out = verdict == TunnelFraming.Verdict.BATCH ? TunnelFraming.batch(kept.toArray(byte[][]::new))
                        : kept.get(0);
                (upwards ? towardsSwitch : towardsServer).send(new DatagramPacket(out, out.length, to));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Whether a frame is of the given kind. */
    static boolean is(byte[] frame, MessageKind kind) {
        DecodeResult<StarePacket> decoded = ServerFrames.decode(frame);
        return decoded.isOk() && decoded.orElseThrow().header().kind() == kind;
    }

    @Override
    public void close() throws InterruptedException {
        towardsServer.close();
        towardsSwitch.close();
        up.join(2000);
        down.join(2000);
    }
}
