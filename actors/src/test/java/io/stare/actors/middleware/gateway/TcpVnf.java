package io.stare.actors.middleware.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfFrameCodec;
import io.stare.protocol.vnf.VnfFrameDecoder;
import io.stare.protocol.vnf.VnfMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A VNF in "another process": a plain {@link Socket} and the protocol codec, no Pekko. Every read
 * is bounded by the socket timeout. DELIVER and LOSS_NOTICE frames are set aside while waiting for
 * a reply.
 */
final class TcpVnf implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final VnfFrameDecoder decoder = new VnfFrameDecoder();
    private final ArrayDeque<VnfMessage> received = new ArrayDeque<>();
    private final List<VnfMessage> pushed = new ArrayList<>();
    private long nextRequest = 1;

    TcpVnf(InetSocketAddress gateway) throws IOException {
        this(gateway, 0);
    }

    /** With {@code receiveBuffer} > 0, a small socket receive buffer (a VNF that can fall behind). */
    TcpVnf(InetSocketAddress gateway, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(gateway, 5_000);
        socket.setSoTimeout((int) GatewayFabric.WAIT.toMillis());
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    long nextRequestId() {
        return nextRequest++;
    }

    void send(VnfMessage message) throws IOException {
        sendRaw(VnfFrameCodec.encode(message));
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame from the middleware, or null once the connection is closed. */
    VnfMessage next() throws IOException {
        byte[] chunk = new byte[65536];
        while (received.isEmpty()) {
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no frame from the gateway within " + GatewayFabric.WAIT, e);
            } catch (IOException reset) {
                return null;
            }
            if (n < 0) {
                return null;
            }
            for (DecodeResult<VnfMessage> result : decoder.feed(chunk, 0, n)) {
                received.add(result.orElseThrow());
            }
        }
        return received.poll();
    }

    /** The next reply (not DELIVER / LOSS_NOTICE, which are kept for {@link #pushed()}). */
    VnfMessage reply() throws IOException {
        while (true) {
            VnfMessage message = next();
            if (message == null) {
                fail("the gateway closed the connection instead of replying");
            }
            if (message instanceof VnfMessage.Deliver || message instanceof VnfMessage.LossNotice) {
                pushed.add(message);
            } else {
                return message;
            }
        }
    }

    <T extends VnfMessage> T call(VnfMessage request, Class<T> answer) throws IOException {
        send(request);
        VnfMessage reply = reply();
        return assertInstanceOf(answer, reply, "reply to " + request);
    }

    /** Sends {@code request} and expects an ERROR with {@code code} for its request ID. */
    VnfMessage.Error expectError(VnfMessage request, long requestId, ErrorCode code) throws IOException {
        VnfMessage.Error error = call(request, VnfMessage.Error.class);
        assertEquals(code, error.code(), error.message());
        assertEquals(requestId, error.requestId());
        return error;
    }

    /** HELLO, HELLO_ACK, REGISTER_VNF; returns the VNF ID. */
    int handshakeAndRegister(String name) throws IOException {
        call(new VnfMessage.Hello(1, 1, name), VnfMessage.HelloAck.class);
        return call(new VnfMessage.RegisterVnf(nextRequestId(), name), VnfMessage.VnfRegistered.class).vnfId();
    }

    int declare(String state) throws IOException {
        return call(new VnfMessage.DeclarePublishState(nextRequestId(), state), VnfMessage.StateDeclared.class).stateId();
    }

    int subscribe(String state) throws IOException {
        return call(new VnfMessage.Subscribe(nextRequestId(), state), VnfMessage.Subscribed.class).stateId();
    }

    long publish(int state, byte[] payload) throws IOException {
        return call(new VnfMessage.Publish(nextRequestId(), state, payload), VnfMessage.Published.class).updateNo();
    }

    /** DELIVER / LOSS_NOTICE frames until {@code count} DELIVERs have arrived. */
    List<VnfMessage.Deliver> awaitDeliveries(int count) throws IOException {
        List<VnfMessage.Deliver> deliveries = new ArrayList<>();
        for (VnfMessage m : pushed) {
            if (m instanceof VnfMessage.Deliver d) {
                deliveries.add(d);
            }
        }
        pushed.removeIf(m -> m instanceof VnfMessage.Deliver);
        while (deliveries.size() < count) {
            VnfMessage message = next();
            if (message == null) {
                fail("closed after " + deliveries.size() + " of " + count + " deliveries");
            }
            if (message instanceof VnfMessage.Deliver d) {
                deliveries.add(d);
            } else {
                pushed.add(message);
            }
        }
        return deliveries;
    }

    /** Pushed frames set aside so far. */
    List<VnfMessage> pushed() {
        return pushed;
    }

    /** Expects the gateway to close the connection (after any frames still in flight). */
    void awaitClosed() throws IOException {
        while (true) {
            VnfMessage message = next();
            if (message == null) {
                return;
            }
            pushed.add(message);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
