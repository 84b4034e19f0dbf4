package io.stare.p4.softswitch.transport;

import io.stare.p4.softswitch.SoftSwitch;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The software switch's front ports as UDP sockets: one socket per port, one whole Ethernet frame
 * per datagram (docs/dataplane.md, "Frames and ports").
 *
 * <p>Each port is one Pekko Streams graph around the connector's {@code Udp.bindFlow}, so the same
 * socket receives and sends and a peer sees the port's bound address as the source:
 * <pre>
 *   Source.queue(bounded) → count sent → Udp.bindFlow(local) → Sink.foreach(softSwitch.receive)
 * </pre>
 * <ul>
 *   <li><b>Receive.</b> Every datagram, whatever its content, goes into
 *       {@link SoftSwitch#receive(int, byte[])}; the pipeline counts bad frames. An exception from
 *       the switch anyway is logged and counted, and the port keeps running. A port without a fixed
 *       peer first learns the datagram's source as its peer.</li>
 *   <li><b>Send.</b> {@link SoftSwitch#onFrames} hands emitted frames to this class on the thread
 *       that ran the pipeline. That thread must never block, so a frame is only offered to the
 *       port's bounded queue; when the queue is full the frame is dropped and counted, as a switch
 *       drops under overload. Frames with no peer yet, frames over {@value #MAX_DATAGRAM} bytes
 *       and frames after {@link #close()} are dropped and counted too, and a frame for a port this
 *       transport does not serve is counted in {@link #framesToUnboundPorts()}.</li>
 * </ul>
 * Beyond those counters, the connector and Pekko IO drop silently in two places: a send the
 * kernel refuses (socket buffer full) and a datagram arriving while the graph cannot take it. On
 * loopback neither happens short of a burst beyond the socket buffers; STARE's ARQ covers SUB
 * messages and RECOVER covers publishes either way.
 *
 * <p>Sockets bind to loopback unless a {@link PortBinding} names another address.
 */
public final class UdpPorts {

    /** The largest UDP payload over IPv4 (65535 − 20 − 8): a longer frame cannot be one datagram. */
    public static final int MAX_DATAGRAM = 65_507;
    /** Frames each port buffers for sending before it drops. */
    public static final int DEFAULT_QUEUE_SIZE = 1024;

    private static final Logger log = LoggerFactory.getLogger(UdpPorts.class);
    /** How long close() waits for a bind still in flight before completing the queue anyway. */
    private static final Duration BIND_WAIT = Duration.ofSeconds(10);
    /** How long close() probes for a socket's release before giving up with a warning. */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(5);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(10);

    private final ActorSystem<?> system;
    private final SoftSwitch softSwitch;
    /** Indexed by port number; null where this transport serves no port. */
    private final Port[] ports;
    private final SortedSet<Integer> portNumbers;
    private final LongAdder framesToUnboundPorts = new LongAdder();
    private final CompletableFuture<SortedMap<Integer, InetSocketAddress>> boundAddresses;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Done> closed = new CompletableFuture<>();

    private UdpPorts(ActorSystem<?> system, SoftSwitch softSwitch, List<PortBinding> bindings, int queueSize) {
        this.system = system;
        this.softSwitch = softSwitch;
        this.ports = new Port[softSwitch.portCount()];
        SortedSet<Integer> numbers = new TreeSet<>();
        for (PortBinding binding : bindings) {
            Objects.requireNonNull(binding, "binding");
            if (binding.port() >= ports.length) {
                throw new IllegalArgumentException("port " + binding.port() + " does not exist on switch "
                        + softSwitch.name() + " with " + ports.length + " ports");
            }
            if (!numbers.add(binding.port())) {
                throw new IllegalArgumentException("port " + binding.port() + " is bound twice");
            }
        }
        this.portNumbers = Collections.unmodifiableSortedSet(numbers);

        Materializer materializer = Materializer.matFromSystem(system);
        for (PortBinding binding : bindings) {
            ports[binding.port()] = new Port(binding, queueSize, materializer);
        }
        this.boundAddresses = collectBoundAddresses();
        // Installed last: an emission must find every port already in place.
        softSwitch.onFrames(this::emit);
    }

    /** Binds the ports with the {@linkplain #DEFAULT_QUEUE_SIZE default} send queue size. */
    public static UdpPorts bind(ActorSystem<?> system, SoftSwitch softSwitch, List<PortBinding> bindings) {
        return bind(system, softSwitch, bindings, DEFAULT_QUEUE_SIZE);
    }

    /**
     * Binds one UDP socket per binding and connects them to {@code softSwitch} (replacing its
     * frame sink). Binding is asynchronous: {@link #boundAddresses()} completes when every socket
     * is bound, or fails if one cannot be (then {@link #close()} the rest).
     *
     * @param queueSize frames each port buffers for sending before it drops
     */
    public static UdpPorts bind(ActorSystem<?> system, SoftSwitch softSwitch, List<PortBinding> bindings,
                                int queueSize) {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(softSwitch, "softSwitch");
        Objects.requireNonNull(bindings, "bindings");
        if (queueSize < 1) {
            throw new IllegalArgumentException("queue size " + queueSize + " must be positive");
        }
        return new UdpPorts(system, softSwitch, List.copyOf(bindings), queueSize);
    }

    /** The port numbers this transport serves. */
    public SortedSet<Integer> ports() {
        return portNumbers;
    }

    /** Each port's actual socket address (ephemeral ports resolved), once all are bound. */
    public CompletionStage<SortedMap<Integer, InetSocketAddress>> boundAddresses() {
        return boundAddresses.minimalCompletionStage();
    }

    /**
     * Fixes the peer of {@code port} from now on, for a link whose far end was bound after this
     * one (both ends ephemeral). The port stops learning its peer from what it receives.
     */
    public void fixPeer(int port, InetSocketAddress peer) {
        Objects.requireNonNull(peer, "peer");
        if (peer.isUnresolved() || peer.getPort() == 0) {
            throw new IllegalArgumentException("peer " + peer + " must be a resolved address with a port");
        }
        Port p = port(port);
        p.peerFixed = true;
        p.peer.set(peer);
    }

    /** Where {@code port} sends now: its fixed peer, the last source it heard from, or empty. */
    public Optional<InetSocketAddress> peer(int port) {
        return Optional.ofNullable(port(port).peer.get());
    }

    /** A snapshot of {@code port}'s counters. */
    public PortCounters counters(int port) {
        return port(port).snapshot();
    }

    /** Frames the switch emitted on ports this transport does not serve. */
    public long framesToUnboundPorts() {
        return framesToUnboundPorts.sum();
    }

    /**
     * Stops every port: frames already queued are still sent, then each socket is unbound. The
     * stage completes once every socket is seen released (its address can be bound again), or after
     * a few seconds with a warning in the log if one is not. Frames emitted afterwards are counted
     * as {@link PortCounters#droppedClosed()}. Calling it again returns the same stage.
     */
    public CompletionStage<Done> close() {
        if (closing.compareAndSet(false, true)) {
            List<CompletableFuture<Void>> stopped = new ArrayList<>();
            for (int number : portNumbers) {
                stopped.add(ports[number].stop());
            }
            CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new))
                    .whenComplete((ignored, error) -> closed.complete(Done.getInstance()));
        }
        return closed.minimalCompletionStage();
    }

    private Port port(int port) {
        if (port < 0 || port >= ports.length || ports[port] == null) {
            throw new IllegalArgumentException("port " + port + " is not served by this transport");
        }
        return ports[port];
    }

    /** The switch's frame sink: runs on the pipeline's thread, so it only ever offers. */
    private void emit(int port, byte[] frame) {
        Port p = port >= 0 && port < ports.length ? ports[port] : null;
        if (p == null) {
            framesToUnboundPorts.increment();
            return;
        }
        p.offer(frame);
    }

    private CompletableFuture<SortedMap<Integer, InetSocketAddress>> collectBoundAddresses() {
        List<CompletableFuture<InetSocketAddress>> all = new ArrayList<>();
        for (int number : portNumbers) {
            all.add(ports[number].bound);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            SortedMap<Integer, InetSocketAddress> addresses = new TreeMap<>();
            for (int number : portNumbers) {
                addresses.put(number, ports[number].bound.join());
            }
            return Collections.unmodifiableSortedMap(addresses);
        });
    }

    /** A CompletableFuture mirroring a stage the connector made (whose toCompletableFuture may throw). */
    private static <T> CompletableFuture<T> copyOf(CompletionStage<T> stage) {
        CompletableFuture<T> target = new CompletableFuture<>();
        stage.whenComplete((value, error) -> {
            if (error != null) {
                target.completeExceptionally(error);
            } else {
                target.complete(value);
            }
        });
        return target;
    }

    /** One port: its stream, its peer and its counters. */
    private final class Port {
        final PortBinding binding;
        final AtomicReference<InetSocketAddress> peer;
        volatile boolean peerFixed;
        final BoundedSourceQueue<Datagram> queue;
        final CompletableFuture<InetSocketAddress> bound;
        final CompletableFuture<Done> done;

        final LongAdder received = new LongAdder();
        final LongAdder sent = new LongAdder();
        final LongAdder droppedNoPeer = new LongAdder();
        final LongAdder droppedQueueFull = new LongAdder();
        final LongAdder droppedOversize = new LongAdder();
        final LongAdder droppedClosed = new LongAdder();
        final LongAdder receiveErrors = new LongAdder();

        Port(PortBinding binding, int queueSize, Materializer materializer) {
            this.binding = binding;
            this.peer = new AtomicReference<>(binding.fixedPeer().orElse(null));
            this.peerFixed = binding.fixedPeer().isPresent();
            int number = binding.port();
            // Fused into one graph on purpose: the bind stage drops a datagram when its downstream
            // has not pulled, and a synchronous Sink.foreach re-pulls before the next one arrives.
            Pair<Pair<BoundedSourceQueue<Datagram>, CompletionStage<InetSocketAddress>>, CompletionStage<Done>> running =
                    Source.<Datagram>queue(queueSize)
                            .map(datagram -> {
                                sent.increment();
                                return datagram;
                            })
                            .viaMat(Udp.bindFlow(binding.localAddress(), system), Keep.both())
                            .toMat(Sink.foreach(this::deliver), Keep.both())
                            .withAttributes(Attributes.name("softswitch-" + softSwitch.name() + "-port-" + number))
                            .run(materializer);
            this.queue = running.first().first();
            this.bound = copyOf(running.first().second());
            this.done = copyOf(running.second());
            bound.whenComplete((address, error) -> {
                if (error != null) {
                    log.error("switch {} port {}: cannot bind {}", softSwitch.name(), number,
                            binding.localAddress(), error);
                } else {
                    log.debug("switch {} port {} bound to {}", softSwitch.name(), number, address);
                }
            });
            done.whenComplete((ignored, error) -> {
                if (error != null && !closing.get()) {
                    log.error("switch {} port {} stopped", softSwitch.name(), number, error);
                }
            });
        }

        /** A received datagram: learn the peer, then feed the whole frame to the switch. */
        void deliver(Datagram datagram) {
            if (!peerFixed) {
                peer.set(datagram.getRemote());
            }
            received.increment();
            try {
                softSwitch.receive(binding.port(), datagram.getData().toArray());
            } catch (RuntimeException e) {
                // The pipeline is meant never to throw; if it does anyway, one frame is lost, not the port.
                receiveErrors.increment();
                long errors = receiveErrors.sum();
                if (Long.bitCount(errors) == 1) { // 1, 2, 4, ...: visible, but no log flood
                    log.warn("switch {} port {}: frame from {} threw in the switch ({} so far)",
                            softSwitch.name(), binding.port(), datagram.getRemote(), errors, e);
                }
            }
        }

        void offer(byte[] frame) {
            if (frame.length > MAX_DATAGRAM) {
                droppedOversize.increment();
                return;
            }
            InetSocketAddress to = peer.get();
            if (to == null) {
                droppedNoPeer.increment();
                return;
            }
            // The switch hands over a fresh array per emission (Emission.frame() copies), so it can
            // be wrapped without another copy.
            QueueOfferResult result = queue.offer(Datagram.create(ByteString.fromArrayUnsafe(frame), to));
            if (result == QueueOfferResult.enqueued()) {
                return;
            }
            if (result == QueueOfferResult.dropped()) {
                droppedQueueFull.increment();
            } else {
                droppedClosed.increment(); // closed, or the stream failed
            }
        }

        /**
         * Completes the queue once the bind has settled (completing it earlier would stop the
         * bind stage before it knows its socket, leaking the socket), waits for the stream to end,
         * then for the socket to be released.
         */
        CompletableFuture<Void> stop() {
            CompletableFuture<Void> bindSettled = new CompletableFuture<>();
            bound.whenComplete((address, error) -> bindSettled.complete(null));
            bindSettled.completeOnTimeout(null, BIND_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return bindSettled.thenCompose(ignored -> {
                queue.complete();
                return done.handle((d, error) -> null);
            }).thenCompose(ignored -> {
                InetSocketAddress address = bound.getNow(null);
                if (bound.isCompletedExceptionally() || address == null) {
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Void> released = new CompletableFuture<>();
                probeRelease(address, System.nanoTime() + RELEASE_WAIT.toNanos(), released);
                return released;
            });
        }

        /**
         * The stage only sends Unbind to Pekko IO, which closes the channel asynchronously and
         * tells nobody; so the release is observed by binding the address ourselves.
         */
        void probeRelease(InetSocketAddress address, long deadline, CompletableFuture<Void> released) {
            if (canBind(address)) {
                released.complete(null);
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                log.warn("switch {} port {}: socket {} still bound {} after close", softSwitch.name(),
                        binding.port(), address, RELEASE_WAIT);
                released.complete(null);
                return;
            }
            try {
                system.scheduler().scheduleOnce(PROBE_INTERVAL, () -> probeRelease(address, deadline, released),
                        system.executionContext());
            } catch (IllegalStateException schedulerStopped) {
                released.complete(null); // the actor system is terminating, and its sockets with it
            }
        }

        PortCounters snapshot() {
            return new PortCounters(received.sum(), sent.sum(), droppedNoPeer.sum(), droppedQueueFull.sum(),
                    droppedOversize.sum(), droppedClosed.sum(), receiveErrors.sum());
        }
    }

    private static boolean canBind(InetSocketAddress address) {
        try (DatagramSocket probe = new DatagramSocket(null)) {
            probe.setReuseAddress(false);
            probe.bind(address);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
