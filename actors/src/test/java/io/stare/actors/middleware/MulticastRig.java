package io.stare.actors.middleware;

import io.stare.datapath.DataPath;
import io.stare.datapath.DataPathSettings;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A {@link MulticastTransport} on a data path of its own, without a middleware: what it accepts
 * goes to an {@link MulticastSupport.Inbox} as whole frames (from 127.0.0.1, port 0: the data path
 * does not carry the sender's address, nobody after the transport needs it). Joins and leaves wait
 * until the kernel has them.
 */
final class MulticastRig implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(10);

    final MulticastTransport transport;
    private final DataPath<Object> path;

    MulticastRig(ActorSystem<?> system, MiddlewareSettings.MulticastSettings settings, String name,
                 MulticastSupport.Inbox inbox) throws IOException {
        this.transport = new MulticastTransport(settings, name);
        DataPathSettings dataPath = DataPathSettings.fromConfig(system.settings().config());
        StareMessage message = new StareMessage();
        Inet4Address loopback = (Inet4Address) InetAddress.getLoopbackAddress();
        this.path = DataPath.start(system, dataPath, name, transport.ports(dataPath), Duration.ZERO, in -> {
            for (int i = 0; i < in.frameCount(); i++) {
                if (transport.read(in, i, message) && inbox != null) {
                    byte[] datagram = new byte[in.length(i)];
                    in.buffer().get(in.offset(i), datagram);
                    inbox.add(MulticastTransport.toFrame(datagram, message.header(), loopback, 0));
                }
            }
            return in.egress();
        });
        transport.started(path);
    }

    void join(int stateId) throws Exception {
        transport.join(stateId);
        await(transport.socketsBound());
    }

    void leave(int stateId) throws Exception {
        transport.leave(stateId);
        await(transport.socketsBound());
    }

    /** MAIN SEND of a whole frame; false if the transport refused it. */
    boolean send(byte[] frame) throws Exception {
        return await(path.call(ports -> transport.send(path.egress(), frame)));
    }

    /**
     * Handles {@code datagram} as if the socket of {@code slot} had received it (the JDK's own
     * sockets never see a group they did not join, so de-duplication is tested this way); false if
     * no socket of that slot is open.
     */
    boolean receivedOn(int slot, byte[] datagram, MulticastSupport.Inbox inbox) throws Exception {
        if (!transport.openSlots().contains(slot)) {
            return false;
        }
        StareMessage message = new StareMessage();
        boolean accepted = await(path.call(ports -> transport.accept(slot, ByteBuffer.wrap(datagram), 0,
                datagram.length, message)));
        if (accepted) {
            inbox.add(MulticastTransport.toFrame(datagram, message.header(),
                    (Inet4Address) InetAddress.getLoopbackAddress(), 0));
        }
        return true;
    }

    Transport.Counters counters() {
        return transport.counters();
    }

    Map<Integer, Set<io.stare.protocol.address.StareAddress>> memberships() {
        return transport.memberships();
    }

    OptionalInt ownerOf(int stateId) {
        return transport.ownerOf(stateId);
    }

    Set<Integer> openSlots() {
        return transport.openSlots();
    }

    InetSocketAddress localAddress() {
        return transport.localAddress();
    }

    @Override
    public void close() throws Exception {
        transport.close();
        await(path.close());
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
