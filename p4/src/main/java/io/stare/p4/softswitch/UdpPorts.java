package io.stare.p4.softswitch;

import io.stare.datapath.DataPath;
import io.stare.datapath.DataPathSettings;
import io.stare.datapath.Egress;
import io.stare.datapath.Ingress;
import io.stare.datapath.PortSpec;
import io.stare.datapath.TunnelFraming;
import io.stare.p4.pipeline.Pipeline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The software switch's front ports as UDP sockets, switched on one {@link DataPath}: one socket
 * per port, all drained by the data path's thread, which runs the pipeline on each batch of frames
 * and writes the copies straight into the egress ports' buffers (docs/dataplane.md, "Frames and
 * ports"; docs/datapath.md for the threads and buffers).
 *
 * <pre>
 *   sockets ─▶ DatagramPorts ─▶ Ingress (a batch) ─▶ step: per frame, the pipeline's fast path
 *                  ▲                                   (Publish: TTL rewritten in place, copied to
 *                  └──────────── Egress ◀──────────────  each port of the mask), else the slow path
 * </pre>
 * <ul>
 *   <li><b>Receive.</b> Every datagram, whatever its content, reaches the switch; a datagram may
 *       carry several frames ({@link TunnelFraming}) on an emulated link. The pipeline counts bad
 *       frames; an exception from the switch anyway is logged and counted, and the port keeps
 *       running. A port without a fixed peer learns the last sender as its peer; a port with a
 *       configured host ({@link PortBinding#withHost}) drops and counts what anyone else sends.</li>
 *   <li><b>Send.</b> Copies go out when the batch is done, one datagram per frame to a host, or
 *       several frames per datagram to a host that sends batches itself and on a link to another
 *       software switch ({@link #link}). Frames with no peer yet, frames too large for a datagram
 *       and frames after {@link #close()} are dropped and counted; a frame for a port this
 *       transport does not serve is counted in {@link #framesToUnboundPorts()}.</li>
 *   <li><b>Control.</b> The switch's control plane (P4Runtime writes, reads, pushes, packet-outs)
 *       reaches the pipeline through the data path's queue ({@link SoftSwitch#attach}).</li>
 * </ul>
 * Sockets bind to loopback unless a {@link PortBinding} names another address; they are bound when
 * {@link #bind} returns.
 */
public final class UdpPorts {

    /** The largest UDP payload over IPv4 (65535 − 20 − 8): a longer frame cannot be one datagram. */
    public static final int MAX_DATAGRAM = TunnelFraming.MAX_DATAGRAM;

    private static final Logger log = LoggerFactory.getLogger(UdpPorts.class);

    private final SoftSwitch softSwitch;
    private final DataPath<Object> dataPath;
    /** Data path port id by switch port number, -1 where this transport serves no port. */
    private final int[] ids;
    /** Switch port number by data path port id. */
    private final int[] numbers;
    private final SortedSet<Integer> portNumbers;
    private final SortedMap<Integer, InetSocketAddress> boundAddresses;
    private final LongAdder framesToUnboundPorts = new LongAdder();
    /** Per switch port: frames the switch threw on, and frames emitted after close. */
    private final AtomicLongArray receiveErrors;
    private final AtomicLongArray droppedClosed;
    private final SoftSwitch.Owner owner;
    private final CompletableFuture<Done> closed = new CompletableFuture<>();
    private volatile boolean closing;
    /** The batch being switched (data path thread only), and the step that switches it under the lock. */
    private Ingress<Object> batch;
    private final Runnable switchBatch = () -> switchBatch(batch, batch.egress());

    private UdpPorts(ActorSystem<?> system, SoftSwitch softSwitch, List<PortBinding> bindings) throws IOException {
        this.softSwitch = softSwitch;
        this.ids = new int[softSwitch.portCount()];
        Arrays.fill(ids, -1);
        SortedSet<Integer> numbersSeen = new TreeSet<>();
        for (PortBinding binding : bindings) {
            Objects.requireNonNull(binding, "binding");
            if (binding.port() >= ids.length) {
                throw new IllegalArgumentException("port " + binding.port() + " does not exist on switch "
                        + softSwitch.name() + " with " + ids.length + " ports");
            }
            if (!numbersSeen.add(binding.port())) {
                throw new IllegalArgumentException("port " + binding.port() + " is bound twice");
            }
        }
        this.portNumbers = Collections.unmodifiableSortedSet(numbersSeen);
        this.receiveErrors = new AtomicLongArray(ids.length);
        this.droppedClosed = new AtomicLongArray(ids.length);
        DataPathSettings settings = DataPathSettings.fromConfig(system.settings().config());
        List<PortSpec> specs = new ArrayList<>();
        this.numbers = new int[bindings.size()];
        for (PortBinding binding : bindings) {
            numbers[specs.size()] = binding.port();
            ids[binding.port()] = specs.size();
            PortSpec spec = PortSpec.udp("port-" + binding.port(), binding.localAddress(), settings);
            // A host port (learnt or configured) mirrors the host's framing; a configured host is the
            // only socket it listens to. A link's fixed peer gets one frame per datagram unless link()
            // says the far end is a STARE switch too.
            if (binding.hostOnly()) {
                specs.add(spec.withPeer(new PortSpec.Fixed(binding.fixedPeer().orElseThrow(), true)));
            } else {
                specs.add(binding.fixedPeer().map(peer -> spec.withPeer(new PortSpec.Fixed(peer, false))
                        .withFraming(PortSpec.Framing.RAW)).orElse(spec));
            }
        }
        this.dataPath = DataPath.start(system, settings, "softswitch-" + softSwitch.name(), specs, Duration.ZERO,
                this::step);
        SortedMap<Integer, InetSocketAddress> addresses = new TreeMap<>();
        for (int number : portNumbers) {
            addresses.put(number, dataPath.localAddress(ids[number]));
            log.debug("switch {} port {} bound to {}", softSwitch.name(), number, addresses.get(number));
        }
        this.boundAddresses = Collections.unmodifiableSortedMap(addresses);
        this.owner = new SoftSwitch.Owner() {
            @Override
            public boolean inOwnerThread() {
                return dataPath.inDataPathThread();
            }

            @Override
            public boolean execute(Runnable task) {
                return dataPath.execute(task);
            }
        };
        softSwitch.onFrames(this::emit);
        softSwitch.attach(owner);
        dataPath.terminated().whenComplete((done, error) -> {
            softSwitch.detach(owner);
            closed.complete(Done.getInstance());
        });
    }

    /** Binds the ports (a queue size is no longer needed: frames go out at the end of each batch). */
    public static UdpPorts bind(ActorSystem<?> system, SoftSwitch softSwitch, List<PortBinding> bindings) {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(softSwitch, "softSwitch");
        Objects.requireNonNull(bindings, "bindings");
        try {
            return new UdpPorts(system, softSwitch, List.copyOf(bindings));
        } catch (IOException e) {
            throw new IllegalStateException("switch " + softSwitch.name() + ": cannot bind its ports: " + e.getMessage(),
                    e);
        }
    }

    /** The port numbers this transport serves. */
    public SortedSet<Integer> ports() {
        return portNumbers;
    }

    /** Each port's socket address (ephemeral ports resolved); complete once {@link #bind} returned. */
    public CompletionStage<SortedMap<Integer, InetSocketAddress>> boundAddresses() {
        return CompletableFuture.completedFuture(boundAddresses);
    }

    /**
     * Fixes the peer of {@code port} from now on, for a link whose far end was bound after this
     * one (both ends ephemeral). The port stops learning its peer and sends one frame per datagram.
     */
    public void fixPeer(int port, InetSocketAddress peer) {
        dataPath.fixPeer(id(port), peer, PortSpec.Framing.RAW);
    }

    /**
     * Links {@code port} to another STARE software switch's port at {@code peer}: a fixed peer, and
     * several frames per datagram (the far end reads them, {@link TunnelFraming}).
     */
    public void link(int port, InetSocketAddress peer) {
        dataPath.fixPeer(id(port), peer, PortSpec.Framing.BATCH);
    }

    /** Where {@code port} sends now: its fixed peer, the last source it heard from, or empty. */
    public Optional<InetSocketAddress> peer(int port) {
        return dataPath.peer(id(port));
    }

    /** A snapshot of {@code port}'s counters (frames, not datagrams). */
    public PortCounters counters(int port) {
        io.stare.datapath.PortCounters c = dataPath.counters(id(port));
        return new PortCounters(c.framesIn(), c.framesOut(), c.droppedNoPeer(), c.droppedFull(), c.droppedSize(),
                c.droppedClosed() + droppedClosed.get(port), receiveErrors.get(port) + c.errors() + c.malformed());
    }

    /** Frames the switch emitted on ports this transport does not serve. */
    public long framesToUnboundPorts() {
        return framesToUnboundPorts.sum();
    }

    /**
     * Stops every port: frames already written are still sent, then each socket is released (its
     * address can be bound again once the stage completes). Frames emitted afterwards are counted as
     * {@link PortCounters#droppedClosed()}. Calling it again returns the same stage.
     */
    public CompletionStage<Done> close() {
        closing = true;
        dataPath.close();
        return closed.minimalCompletionStage();
    }

    private int id(int port) {
        if (port < 0 || port >= ids.length || ids[port] < 0) {
            throw new IllegalArgumentException("port " + port + " is not served by this transport");
        }
        return ids[port];
    }

    /** One batch: each frame through the pipeline, the fast path where it can, copies straight to egress. */
    private Egress step(Ingress<Object> in) {
        Egress out = in.egress();
        if (in.frameCount() > 0) {
            batch = in;
            softSwitch.locked(switchBatch);
        }
        return out;
    }

    private void switchBatch(Ingress<Object> in, Egress out) {
        ByteBuffer buffer = in.buffer();
        int portCount = softSwitch.portCount();
        for (int i = 0; i < in.frameCount(); i++) {
            int port = numbers[in.port(i)];
            int offset = in.offset(i);
            int length = in.length(i);
            long mask;
            try {
                mask = softSwitch.forward(port, buffer, offset, length);
                if (mask == Pipeline.SLOW) {
                    byte[] frame = new byte[length];
                    buffer.get(offset, frame);
                    softSwitch.receive(port, frame); // emissions come back through emit()
                    continue;
                }
            } catch (RuntimeException e) {
                // The pipeline is meant never to throw; if it does anyway, one frame is lost, not the port.
                long errors = receiveErrors.incrementAndGet(port);
                if (Long.bitCount(errors) == 1) { // 1, 2, 4, ...: visible, but no log flood
                    log.warn("switch {} port {}: a frame threw in the switch ({} so far)", softSwitch.name(), port,
                            errors, e);
                }
                continue;
            }
            for (long m = mask; m != 0; m &= m - 1) {
                int egress = Long.numberOfTrailingZeros(m);
                if (egress >= portCount) {
                    continue; // a pipeline wider than the switch: the copy has no port to leave by
                }
                if (ids[egress] < 0) {
                    framesToUnboundPorts.increment();
                } else {
                    out.copy(ids[egress], buffer, offset, length);
                }
            }
        }
    }

    /** The switch's frame sink for the slow path and packet-outs: always on the data path's thread. */
    private void emit(int port, byte[] frame) {
        if (port < 0 || port >= ids.length || ids[port] < 0) {
            framesToUnboundPorts.increment();
            return;
        }
        if (closing && !dataPath.inDataPathThread()) {
            droppedClosed.incrementAndGet(port);
            return;
        }
        if (dataPath.inDataPathThread()) {
            dataPath.egress().copy(ids[port], ByteBuffer.wrap(frame), 0, frame.length);
        } else if (!dataPath.execute(() -> dataPath.egress().copy(ids[port], ByteBuffer.wrap(frame), 0, frame.length))) {
            droppedClosed.incrementAndGet(port);
        }
    }
}
