package io.stare.datapath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running data path: UDP sockets and the logic that handles what they receive, as one fused
 * Pekko Streams graph on a thread of its own.
 *
 * <pre>
 *            +------------------------------ one thread (stare.datapath.dispatcher) ------------+
 *  sockets   |  DatagramPorts stage (owns the sockets, the selector and the control queue)      |
 *  ========> |    out: Ingress  (frames of up to max-datagrams-per-cycle datagrams per port,   | ===> sockets
 *            |          control messages, tick)                                                 |
 *            |    in:  Egress   (frames the logic wrote, flushed as datagrams)                  |
 *            |        ^                                   |                                    |
 *            |        +------ logic: Ingress -> Egress ---+   (a switch pipeline, a middleware) |
 *            +---------------------------------------------------------------------------------+
 * </pre>
 * The two stages are joined into a cycle ({@code ports.join(logic)}): no asynchronous boundary, no
 * actor message per packet, no copy between the socket and the logic. While nothing arrives, the
 * ports stage waits in the kernel (epoll) for a datagram, a control message, a {@link #signal()}
 * or the tick; it hands the thread back to Pekko at least every {@code idle-yield}.
 *
 * <p>Other threads talk to the logic through {@link #offer} (control messages, bounded) and
 * {@link #signal()} (work waiting elsewhere, e.g. a publish log the logic drains), and to the
 * ports through {@link #call} (a task run on the data path's thread between cycles).
 *
 * @param <C> the logic's control messages
 */
public final class DataPath<C> {

    /** The ports as a task run by {@link #call} sees them, on the data path's thread. */
    public interface Ports {
        /** Opens one more port; returns its id; an {@link UncheckedIOException} if the socket cannot be opened. */
        int open(PortSpec spec);

        /** Closes port {@code id}: its socket is released, frames for it are dropped and counted. */
        void close(int id);

        /** The socket of port {@code id} (to join multicast groups on it, say). */
        DatagramChannel channel(int id);

        /** Fixes the peer of port {@code id} from now on (a link whose far end was bound after this one). */
        void fixPeer(int id, InetSocketAddress peer);
    }

    private static final Logger log = LoggerFactory.getLogger(DataPath.class);
    private static final Object CLOSE = new Object();

    private final String name;
    final DataPathSettings settings;
    final long tickNanos;
    final Selector selector;
    final PortTable ports = new PortTable();
    final Egress egress = new Egress(ports);
    /** The thread the stage runs on, once it has run (the dispatcher is pinned: always the same). */
    volatile Thread thread;
    private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inboxSize = new AtomicInteger();
    /**
     * Held by whoever runs the logic: the stage's thread from the start of a cycle until it sleeps
     * or yields, or a caller of {@link #runIfIdle} while the stage's thread sleeps.
     */
    private final ReentrantLock cycleLock = new ReentrantLock();
    private volatile boolean signalled;
    private volatile boolean sleeping;
    private volatile boolean closing;
    private final CompletableFuture<Done> terminated = new CompletableFuture<>();

    private DataPath(String name, DataPathSettings settings, Duration tick) throws IOException {
        this.name = name;
        this.settings = settings;
        this.tickNanos = tick.toNanos();
        this.selector = Selector.open();
    }

    /**
     * Opens {@code ports} (bound when this returns, so their addresses are known) and starts the
     * graph that feeds them to {@code logic}.
     *
     * @param name for the stream and the logs
     * @param tick how often the logic gets {@link Ingress#tick()} ({@link Duration#ZERO}: never)
     * @param logic runs once per duty cycle on the data path's thread; it must not block, and should
     *     not throw (a frame it cannot handle is counted and dropped by the logic itself)
     * @throws IOException if a port cannot be opened (the others are closed again)
     */
    public static <C> DataPath<C> start(ActorSystem<?> system, String name, List<PortSpec> ports, Duration tick,
                                        Function<Ingress<C>, Egress> logic) throws IOException {
        return start(system, DataPathSettings.fromConfig(system.settings().config()), name, ports, tick, logic);
    }

    /** The same with explicit settings. */
    public static <C> DataPath<C> start(ActorSystem<?> system, DataPathSettings settings, String name,
                                        List<PortSpec> ports, Duration tick, Function<Ingress<C>, Egress> logic)
            throws IOException {
        Objects.requireNonNull(logic, "logic");
        if (tick.isNegative()) {
            throw new IllegalArgumentException("tick " + tick + " is negative");
        }
        DataPath<C> path = new DataPath<>(name, settings, tick);
        try {
            for (PortSpec spec : ports) {
                path.openPort(spec);
            }
        } catch (IOException | RuntimeException e) {
            path.closeAll();
            throw e;
        }
        Flow.fromGraph(new DatagramPorts<C>(path))
                .join(Flow.<Ingress<C>>create().map(logic::apply))
                .withAttributes(Attributes.name("stare-datapath-" + name)
                        .and(ActorAttributes.dispatcher(settings.dispatcher())))
                .run(Materializer.matFromSystem(system));
        return path;
    }

    /** The data path's name. */
    public String name() {
        return name;
    }

    /** The number of ports opened so far (ids 0 .. n - 1). */
    public int portCount() {
        return ports.size();
    }

    /** The address port {@code id} is bound to. */
    public InetSocketAddress localAddress(int id) {
        return ports.get(id).localAddress;
    }

    /** Where port {@code id} sends now: its fixed peer, the last sender it heard, or empty. */
    public Optional<InetSocketAddress> peer(int id) {
        return Optional.ofNullable(ports.get(id).peer);
    }

    /**
     * Fixes the peer of port {@code id} from now on, with the framing to use towards it: for a
     * link whose far end was bound after this end (two software switches, say). The port stops
     * learning its peer. Safe from any thread.
     */
    public void fixPeer(int id, InetSocketAddress peer, PortSpec.Framing framing) {
        Objects.requireNonNull(framing, "framing");
        portsView.fixPeer(id, peer);
        ports.get(id).framing = framing;
    }

    /** A snapshot of port {@code id}'s counters. */
    public PortCounters counters(int id) {
        return ports.get(id).counters();
    }

    /**
     * Hands a control message to the logic, in order; it arrives in the next cycle's
     * {@link Ingress#controls()}. False when {@code control-queue} messages already wait or the
     * data path is closing: the caller keeps it and offers it again.
     */
    public boolean offer(C control) {
        Objects.requireNonNull(control, "control");
        return enqueue(control);
    }

    /**
     * Says that work waits for the logic outside the control queue: the next cycle runs at once
     * with {@link Ingress#signalled()} set. Cheap when the data path is busy (no system call).
     */
    public void signal() {
        signalled = true;
        wakeIfSleeping();
    }

    /**
     * Runs {@code work} on the caller's thread in place of the data path's, if that thread is
     * asleep in the kernel: the work may write into the {@link Egress} it is given (the data path's
     * own), and what it wrote is sent before this returns. It spares the data path a wake-up per
     * piece of work (a publish from a VNF's thread, say) while traffic is light. The work runs
     * under the lock the data path's thread holds for its own cycles, so it sees, and leaves, the
     * logic's state as a cycle would.
     *
     * <p>False, with nothing run, when the data path is busy (its next cycle does the work), when
     * the caller is already running the logic (a handler that publishes), when another caller got
     * there first, or when {@code run-idle-work} is off: the caller then {@link #signal()}s.
     */
    public boolean runIfIdle(Consumer<Egress> work) {
        Objects.requireNonNull(work, "work");
        if (!settings.runIdleWork() || !sleeping || closing || cycleLock.isHeldByCurrentThread()
                || !cycleLock.tryLock()) {
            return false;
        }
        try {
            if (closing) {
                return false;
            }
            work.accept(egress);
            boolean holding = false;
            for (Port port : ports.all()) {
                if (!port.closed) {
                    port.flush();
                    holding |= port.holding();
                }
            }
            if (holding) {
                signal(); // the socket is full: the data path's next cycle waits for it to drain
            }
            return true;
        } finally {
            cycleLock.unlock();
        }
    }

    /**
     * Runs {@code task} on the data path's thread between two cycles, in order with control
     * messages; the task may write frames into {@link #egress()}. False if the queue is full or the
     * data path is closing.
     */
    public boolean execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        return enqueue(new Run(task));
    }

    /** Whether the caller runs on the data path's thread (inside the logic or a task). */
    public boolean inDataPathThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Where frames to send are written. Only on the data path's thread: inside the logic's step or
     * a task given to {@link #execute}.
     */
    public Egress egress() {
        return egress;
    }

    /** Runs {@code task} on the data path's thread between two cycles; completes with its result. */
    public <T> CompletionStage<T> call(Function<Ports, T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!enqueue(new Task<>(task, result))) {
            result.completeExceptionally(new IllegalStateException("data path " + name
                    + (closing ? " is closed" : " has " + settings.controlQueue() + " control messages waiting")));
        }
        return result;
    }

    /**
     * Stops: frames already written go out, then every socket is released. Completes when the
     * graph has stopped. Calling it again returns the same stage.
     */
    public CompletionStage<Done> close() {
        if (!closing) {
            closing = true;
            inbox.add(CLOSE);
            wakeIfSleeping();
        }
        return terminated.minimalCompletionStage();
    }

    /** Completes when the graph has stopped, exceptionally if it failed. */
    public CompletionStage<Done> terminated() {
        return terminated.minimalCompletionStage();
    }

    private boolean enqueue(Object item) {
        if (closing) {
            return false;
        }
        if (inboxSize.incrementAndGet() > settings.controlQueue()) {
            inboxSize.decrementAndGet();
            return false;
        }
        inbox.add(item);
        wakeIfSleeping();
        return true;
    }

    private void wakeIfSleeping() {
        if (sleeping) {
            try {
                selector.wakeup();
            } catch (ClosedSelectorException ignored) {
                // Already stopped.
            }
        }
    }

    // ---- used by the ports stage, on the data path's thread

    /** The stage runs the logic from now on (it waits while a {@link #runIfIdle} caller finishes). */
    void enterCycle() {
        if (!cycleLock.isHeldByCurrentThread()) {
            cycleLock.lock();
        }
    }

    /** The stage sleeps or yields: callers may run idle work meanwhile. */
    void leaveCycle() {
        if (cycleLock.isHeldByCurrentThread()) {
            cycleLock.unlock();
        }
    }

    /**
     * Runs waiting tasks and moves control messages into {@code ingress} (a task counts as a signal,
     * so that what it wrote is flushed this cycle); true when asked to close.
     */
    @SuppressWarnings("unchecked")
    boolean drainInbox(Ingress<C> ingress) {
        Object item;
        int budget = settings.controlQueue();
        while (budget-- > 0 && (item = inbox.poll()) != null) {
            if (item == CLOSE) {
                return true;
            }
            inboxSize.decrementAndGet();
            if (item instanceof Task<?> task) {
                task.run(portsView);
                ingress.signalled(true);
            } else if (item instanceof Run run) {
                try {
                    run.task().run();
                } catch (RuntimeException e) {
                    log.error("data path {}: a task failed", name, e);
                }
                ingress.signalled(true);
            } else {
                ingress.addControl((C) item);
            }
        }
        return closing && inbox.isEmpty();
    }

    boolean takeSignal() {
        if (!signalled) {
            return false;
        }
        signalled = false;
        return true;
    }


    /**
     * Waits in the kernel for a datagram, a writable socket, a control message or a signal, at most
     * {@code millis}; {@code ready} hears every ready key. True if something (may have) arrived.
     */
    boolean sleep(long millis, java.util.function.Consumer<SelectionKey> ready) throws IOException {
        sleeping = true;
        try {
            if (signalled || !inbox.isEmpty()) {
                return true;
            }
            int keys = selector.select(ready, Math.max(1, millis));
            return keys > 0 || signalled || !inbox.isEmpty();
        } finally {
            sleeping = false;
        }
    }

    int openPort(PortSpec spec) throws IOException {
        DatagramChannel channel = spec.opener().open();
        try {
            channel.configureBlocking(false);
            Port port = new Port(ports.nextId(), spec, channel, settings.egressBuffer());
            port.key = channel.register(selector, SelectionKey.OP_READ, port);
            ports.add(port);
            return port.id;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    void closePort(Port port) {
        if (port.closed) {
            return;
        }
        port.closed = true;
        if (port.key != null) {
            port.key.cancel();
        }
        try {
            port.channel.close();
        } catch (IOException e) {
            log.warn("data path {}: closing port {} ({}) failed", name, port.id, port.spec.name(), e);
        }
    }

    /** Releases every socket and the selector; the graph has stopped (or never started). */
    void closeAll() {
        for (Port port : ports.all()) {
            closePort(port);
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.warn("data path {}: closing the selector failed", name, e);
        }
    }

    void stopped(Throwable failure) {
        closing = true;
        closeAll();
        if (failure == null) {
            terminated.complete(Done.getInstance());
        } else {
            log.error("data path {} failed; its sockets are closed", name, failure);
            terminated.completeExceptionally(failure);
        }
    }

    String logName() {
        return name;
    }

    private final Ports portsView = new Ports() {
        @Override
        public int open(PortSpec spec) {
            try {
                return openPort(spec);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close(int id) {
            Port port = ports.get(id);
            port.flush();
            closePort(port);
        }

        @Override
        public DatagramChannel channel(int id) {
            return ports.get(id).channel;
        }

        @Override
        public void fixPeer(int id, InetSocketAddress peer) {
            Objects.requireNonNull(peer, "peer");
            if (peer.isUnresolved() || peer.getPort() == 0) {
                throw new IllegalArgumentException("peer " + peer + " must be a resolved address with a port");
            }
            Port port = ports.get(id);
            port.fixedPeer = true;
            port.peer = peer;
        }
    };

    /** A task for the data path's thread, apart from control messages (which may be Runnables too). */
    private record Run(Runnable task) {
    }

    /** A task for the data path's thread and the future it completes. */
    private record Task<T>(Function<Ports, T> task, CompletableFuture<T> result) {
        void run(Ports ports) {
            try {
                result.complete(task.apply(ports));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
    }
}
