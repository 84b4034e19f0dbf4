package io.stare.actors.middleware;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.connectors.udp.Datagram;
import org.apache.pekko.stream.connectors.udp.javadsl.Udp;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The {@code tunnel} transport: one UDP socket on 127.0.0.1 (ephemeral port) that exchanges whole
 * Ethernet frames with one software-switch port, one frame per datagram. The switch port learns
 * this socket as its peer from the first frame it receives.
 *
 * <pre>
 *   MAIN SEND: Source.queue(bounded) → count → Udp.bindFlow(127.0.0.1:0) → MAIN RECEIVE: count → receive sink
 * </pre>
 * One graph, so the same socket sends and receives. Datagrams from anywhere but the switch port
 * are dropped and counted. The receive sink must not hold the thread:
 * the bind stage drops a datagram that arrives while its downstream has not pulled.
 */
public final class TunnelTransport implements Transport {

    /** The largest UDP payload over IPv4: a longer frame cannot be one datagram. */
    public static final int MAX_DATAGRAM = 65_507;

    private final InetSocketAddress switchPort;
    private final BoundedSourceQueue<Datagram> queue;
    private final CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    private final CompletableFuture<Done> done = new CompletableFuture<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder foreign = new LongAdder();

    private TunnelTransport(ActorSystem<?> system, InetSocketAddress switchPort, int sendQueue, String name,
                            Sink<byte[], NotUsed> receive) {
        this.switchPort = switchPort;
        Pair<Pair<BoundedSourceQueue<Datagram>, CompletionStage<InetSocketAddress>>, CompletionStage<Done>> running =
                Source.<Datagram>queue(sendQueue)
                        .map(datagram -> {
                            sent.increment();
                            return datagram;
                        })
                        .viaMat(Udp.bindFlow(new InetSocketAddress("127.0.0.1", 0), system), Keep.both())
                        .filter(datagram -> {
                            // Only the switch port speaks on this link: anyone else on the host is ignored.
                            boolean fromSwitch = switchPort.equals(datagram.getRemote());
                            (fromSwitch ? received : foreign).increment();
                            return fromSwitch;
                        })
                        .map(datagram -> datagram.getData().toArray())
                        .alsoTo(receive)
                        .toMat(Sink.ignore(), Keep.both())
                        .withAttributes(Attributes.name("middleware-" + name + "-tunnel"))
                        .run(Materializer.matFromSystem(system));
        this.queue = running.first().first();
        running.first().second().whenComplete((address, error) -> {
            if (error != null) {
                bound.completeExceptionally(error);
            } else {
                bound.complete(address);
            }
        });
        running.second().whenComplete((d, error) -> done.complete(Done.getInstance()));
    }

    /**
     * Binds the socket and starts both directions.
     *
     * @param switchPort the switch port's socket, where every frame goes
     * @param sendQueue frames buffered before {@link #send} drops
     * @param name for the stream's name in logs
     * @param receive MAIN RECEIVE's downstream: every received frame, in order
     */
    public static TunnelTransport start(ActorSystem<?> system, InetSocketAddress switchPort, int sendQueue, String name,
                                        Sink<byte[], NotUsed> receive) {
        return new TunnelTransport(system, switchPort, sendQueue, name, receive);
    }

    @Override
    public boolean send(byte[] frame) {
        if (frame.length > MAX_DATAGRAM) {
            dropped.increment();
            return false;
        }
        // The caller hands the array over: wrap it without a copy.
        QueueOfferResult result = queue.offer(Datagram.create(ByteString.fromArrayUnsafe(frame), switchPort));
        if (result == QueueOfferResult.enqueued()) {
            return true;
        }
        dropped.increment();
        return false;
    }

    @Override
    public CompletionStage<InetSocketAddress> localAddress() {
        return bound.minimalCompletionStage();
    }

    @Override
    public Counters counters() {
        return new Counters(sent.sum(), received.sum(), dropped.sum(), foreign.sum());
    }

    @Override
    public CompletionStage<Done> close() {
        // Completing before the bind settles would leak the socket: wait for it first.
        return bound.handle((a, e) -> null).thenCompose(ignored -> {
            queue.complete();
            return done;
        });
    }
}
