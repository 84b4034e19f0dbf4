package io.stare.p4.softswitch;

import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.DropReason;
import io.stare.p4.pipeline.Pipeline;
import io.stare.p4.pipeline.PipelineResult;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * One software switch: the {@link Pipeline} currently installed, fed by its ports and its CPU
 * port, with its results handed to the port transport and to the P4Runtime stream.
 *
 * <p><b>Who touches the pipeline.</b> Once the switch has ports, their data path's thread owns the
 * pipeline ({@link #attach(Owner)}): frames are switched there, and every control-plane step
 * (P4Runtime writes and reads, pipeline pushes, packet-outs) is queued to that thread and run
 * between two batches of frames, so control never stalls the data plane behind a lock and the
 * data plane never waits for control. A switch without an owner (unit tests, tools) runs every
 * step on the caller's thread under a lock. The lock is also taken by the owner once per batch,
 * uncontended, so that a step racing the owner's start or stop stays safe.
 *
 * <p>Until a pipeline is pushed the switch forwards nothing, as a real switch does before its
 * controller configures it; such frames are counted in {@link #framesWithoutPipeline()}.
 */
public final class SoftSwitch {

    /** How long a control-plane caller waits for the owner's thread before giving up. */
    static final long OWNER_WAIT_SECONDS = 10;

    /** Where frames leaving front ports go (the port transport). */
    public interface FrameSink {
        void send(int port, byte[] frame);
    }

    /** Where packet-ins go (the P4Runtime StreamChannel of the primary controller). */
    public interface PacketInSink {
        void onPacketIn(PipelineResult.PacketInMessage packetIn);
    }

    /** The thread that owns the pipeline once the switch has ports (its data path). */
    public interface Owner {
        /** Whether the caller runs on the owner's thread. */
        boolean inOwnerThread();

        /** Runs {@code task} on the owner's thread, in order; false if the owner no longer runs anything. */
        boolean execute(Runnable task);
    }

    private final String name;
    private final int portCount;
    private final Object lock = new Object();
    private volatile Pipeline pipeline;
    private volatile Owner owner;
    private volatile FrameSink frameSink = (port, frame) -> { };
    private final List<PacketInSink> packetInSinks = new CopyOnWriteArrayList<>();
    private final LongAdder framesWithoutPipeline = new LongAdder();
    private final LongAdder framesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();

    /**
     * @param name the switch's name in its topology, for logs and metrics
     * @param portCount the front ports this switch has (pipelines pushed later must fit)
     */
    public SoftSwitch(String name, int portCount) {
        if (portCount < 1 || portCount > Pipeline.MAX_PORTS) {
            throw new IllegalArgumentException("port count " + portCount + " is out of range 1.." + Pipeline.MAX_PORTS);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.portCount = portCount;
    }

    public String name() {
        return name;
    }

    public int portCount() {
        return portCount;
    }

    /** Connects the port transport; frames emitted before this are discarded. */
    public void onFrames(FrameSink sink) {
        this.frameSink = Objects.requireNonNull(sink, "sink");
    }

    /** Adds a receiver of packet-ins; returns a handle that removes it. */
    public Runnable onPacketIn(PacketInSink sink) {
        packetInSinks.add(sink);
        return () -> packetInSinks.remove(sink);
    }

    /** From now on every pipeline step runs on {@code owner}'s thread (the ports' data path). */
    public void attach(Owner owner) {
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /** Steps run on the caller's thread again (the data path stopped), if {@code owner} is still the owner. */
    public void detach(Owner owner) {
        synchronized (lock) {
            if (this.owner == owner) {
                this.owner = null;
            }
        }
    }

    /**
     * A frame arrived on a front port. Never throws for bad frames: the pipeline counts them. From a
     * thread other than the owner's, the frame is queued to the owner (as a frame on a wire would be).
     */
    public void receive(int port, byte[] frame) {
        checkPort(port);
        Owner o = owner;
        if (o != null && !o.inOwnerThread() && o.execute(() -> receiveHere(port, frame))) {
            return;
        }
        receiveHere(port, frame);
    }

    private void receiveHere(int port, byte[] frame) {
        framesIn.increment();
        PipelineResult result;
        synchronized (lock) {
            Pipeline p = pipeline;
            if (p == null) {
                framesWithoutPipeline.increment();
                return;
            }
            result = p.process(port, frame);
        }
        dispatch(result);
    }

    /**
     * The fast path, for the owner's data path only, inside {@link #locked}: a frame in place in
     * {@code buffer}. Returns the mask of ports to copy the (rewritten) frame to, 0 when it was
     * dropped and counted, or {@link Pipeline#SLOW} when the caller must hand a copy to
     * {@link #receive} instead (the frame is then unchanged).
     */
    public long forward(int port, ByteBuffer buffer, int offset, int length) {
        Pipeline p = pipeline;
        if (p == null) {
            return Pipeline.SLOW; // counted by the slow path
        }
        long mask = p.forwardInPlace(port, buffer, offset, length);
        if (mask >= 0) {
            framesIn.increment();
            framesOut.add(Long.bitCount(mask & ((1L << portCount) - 1)));
        }
        return mask;
    }

    /** Runs {@code batch} holding the switch's lock: the owner's data path switches a whole batch at once. */
    public void locked(Runnable batch) {
        synchronized (lock) {
            batch.run();
        }
    }

    /** A packet-out from the controller (decoded header and the payload after it), queued to the owner. */
    public void packetOut(CpuHeaders.PacketOut header, byte[] payload) {
        Owner o = owner;
        if (o != null && !o.inOwnerThread() && o.execute(() -> packetOutHere(header, payload))) {
            return;
        }
        packetOutHere(header, payload);
    }

    private void packetOutHere(CpuHeaders.PacketOut header, byte[] payload) {
        PipelineResult result;
        synchronized (lock) {
            Pipeline p = pipeline;
            if (p == null) {
                framesWithoutPipeline.increment();
                return;
            }
            result = p.processPacketOut(header, payload);
        }
        dispatch(result);
    }

    /**
     * Runs a control-plane step on the installed pipeline, on the owner's thread, and waits for its
     * result (at most {@value #OWNER_WAIT_SECONDS} seconds).
     *
     * @throws IllegalStateException if the owner did not run it in time
     */
    public <T> Optional<T> withPipeline(Function<Pipeline, T> step) {
        return onOwner(() -> {
            Pipeline p = pipeline;
            return p == null ? Optional.<T>empty() : Optional.ofNullable(step.apply(p));
        });
    }

    /**
     * Replaces the pipeline. Its tables start empty, as after a real pipeline push; state to keep
     * is the controller's to write back (State4 reconfiguration does exactly that).
     */
    public void install(Pipeline next) {
        // A pipeline may name more ports than this switch has (an 8-bit mask on a 4-port switch):
        // copies for ports the switch lacks are dropped on the way out, as on hardware.
        onOwner(() -> {
            pipeline = next;
            return null;
        });
    }

    private <T> T onOwner(java.util.function.Supplier<T> step) {
        Owner o = owner;
        if (o == null || o.inOwnerThread()) {
            synchronized (lock) {
                return step.get();
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        boolean queued = o.execute(() -> {
            try {
                synchronized (lock) {
                    result.complete(step.get());
                }
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        if (!queued) {
            synchronized (lock) {
                return step.get(); // the owner stopped meanwhile: nobody else switches now
            }
        }
        try {
            return result.get(OWNER_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while switch " + name + " ran a control step", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("switch " + name + "'s data path did not run a control step within "
                    + OWNER_WAIT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Whether a pipeline is installed. */
    public boolean hasPipeline() {
        return pipeline != null;
    }

    public long framesWithoutPipeline() {
        return framesWithoutPipeline.sum();
    }

    public long framesIn() {
        return framesIn.sum();
    }

    public long framesOut() {
        return framesOut.sum();
    }

    /** Drops of the installed pipeline by reason, or 0 before the first push (drop counters may be read anywhere). */
    public long drops(DropReason reason) {
        Pipeline p = pipeline;
        return p == null ? 0 : p.drops().count(reason);
    }

    private void checkPort(int port) {
        if (port < 0 || port >= portCount) {
            throw new IllegalArgumentException("port " + port + " is out of range 0.." + (portCount - 1));
        }
    }

    private void dispatch(PipelineResult result) {
        FrameSink sink = frameSink;
        for (PipelineResult.Emission emission : result.emissions()) {
            if (emission.port() < portCount) {
                framesOut.increment();
                sink.send(emission.port(), emission.frame());
            }
        }
        for (PipelineResult.PacketInMessage packetIn : result.packetIns()) {
            for (PacketInSink packetInSink : packetInSinks) {
                packetInSink.onPacketIn(packetIn);
            }
        }
    }
}
