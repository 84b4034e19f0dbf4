package io.stare.p4.softswitch;

import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.DropReason;
import io.stare.p4.pipeline.Pipeline;
import io.stare.p4.pipeline.PipelineResult;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * One software switch: the {@link Pipeline} currently installed, fed by its ports and its CPU
 * port, with its results handed to the port transport and to the P4Runtime stream.
 *
 * <p>The pipeline is not thread-safe and is touched from two sides, the data plane (frames from
 * the port transport) and the control plane (P4Runtime writes, reads and pipeline pushes), so every
 * access runs under one lock. The lock is held only for the pure pipeline step; results are
 * dispatched after it is released.
 *
 * <p>Until a pipeline is pushed the switch forwards nothing, as a real switch does before its
 * controller configures it; such frames are counted in {@link #framesWithoutPipeline()}.
 */
public final class SoftSwitch {

    /** Where frames leaving front ports go (the port transport). */
    public interface FrameSink {
        void send(int port, byte[] frame);
    }

    /** Where packet-ins go (the P4Runtime StreamChannel of the primary controller). */
    public interface PacketInSink {
        void onPacketIn(PipelineResult.PacketInMessage packetIn);
    }

    private final String name;
    private final int portCount;
    private final Object lock = new Object();
    private Pipeline pipeline;
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

    /** A frame arrived on a front port. Never throws for bad frames: the pipeline counts them. */
    public void receive(int port, byte[] frame) {
        if (port < 0 || port >= portCount) {
            throw new IllegalArgumentException("port " + port + " is out of range 0.." + (portCount - 1));
        }
        framesIn.increment();
        PipelineResult result;
        synchronized (lock) {
            if (pipeline == null) {
                framesWithoutPipeline.increment();
                return;
            }
            result = pipeline.process(port, frame);
        }
        dispatch(result);
    }

    /** A packet-out from the controller (decoded header and the payload after it). */
    public void packetOut(CpuHeaders.PacketOut header, byte[] payload) {
        PipelineResult result;
        synchronized (lock) {
            if (pipeline == null) {
                framesWithoutPipeline.increment();
                return;
            }
            result = pipeline.processPacketOut(header, payload);
        }
        dispatch(result);
    }

    /** Runs a control-plane step on the installed pipeline, under the switch's lock. */
    public <T> Optional<T> withPipeline(Function<Pipeline, T> step) {
        synchronized (lock) {
            return pipeline == null ? Optional.empty() : Optional.ofNullable(step.apply(pipeline));
        }
    }

    /**
     * Replaces the pipeline. Its tables start empty, as after a real pipeline push; state to keep
     * is the controller's to write back (State4 reconfiguration does exactly that).
     */
    public void install(Pipeline next) {
        // A pipeline may name more ports than this switch has (an 8-bit mask on a 4-port switch):
        // copies for ports the switch lacks are dropped on the way out, as on hardware.
        synchronized (lock) {
            pipeline = next;
        }
    }

    /** Whether a pipeline is installed. */
    public boolean hasPipeline() {
        synchronized (lock) {
            return pipeline != null;
        }
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

    /** Drops of the installed pipeline by reason, or 0 before the first push. */
    public long drops(DropReason reason) {
        return withPipeline(p -> p.drops().count(reason)).orElse(0L);
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
