package io.stare.p4.bmv2;

import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.softswitch.P4RuntimeServer;
import io.stare.p4.softswitch.SoftSwitch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * The software switch with its P4Runtime server on loopback, as the twin of {@link Bmv2Target}:
 * frames are handed to it directly and its output frames are queued for {@link #collect}.
 */
final class SoftSwitchTarget implements SwitchTarget {

    private final SoftSwitch softSwitch;
    private final ServerBinding binding;
    private final BlockingQueue<PipelineResult.Emission> out = new LinkedBlockingQueue<>();

    SoftSwitchTarget(ActorSystem<?> system, int ports) throws Exception {
        softSwitch = new SoftSwitch("bmv2-twin", ports);
        softSwitch.onFrames((port, frame) -> out.add(new PipelineResult.Emission(port, frame)));
        P4RuntimeServer server = new P4RuntimeServer(softSwitch, P4RuntimeController.DEVICE_ID, system);
        binding = server.bind(system, "127.0.0.1", 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    public String name() {
        return "software switch";
    }

    @Override
    public int p4RuntimePort() {
        return binding.localAddress().getPort();
    }

    @Override
    public int portCount() {
        return softSwitch.portCount();
    }

    @Override
    public boolean runsP4Program() {
        return false;
    }

    @Override
    public boolean servesRegisters() {
        return true;
    }

    @Override
    public Duration quietPeriod() {
        return Duration.ofMillis(50);
    }

    @Override
    public void send(int port, byte[] frame) {
        softSwitch.receive(port, frame);
    }

    @Override
    public List<PipelineResult.Emission> collect(int expected, Duration max) throws InterruptedException {
        List<PipelineResult.Emission> frames = new ArrayList<>();
        long end = System.nanoTime() + max.toNanos();
        for (int polls = 0; polls < 10_000; polls++) {
            long left = end - System.nanoTime();
            long wait = frames.size() >= expected ? Math.min(quietPeriod().toNanos(), left) : left;
            PipelineResult.Emission frame = wait > 0 ? out.poll(wait, TimeUnit.NANOSECONDS) : null;
            if (frame == null) {
                break;
            }
            frames.add(frame);
        }
        return frames;
    }

    @Override
    public void close() {
        try {
            binding.terminate(Duration.ofMillis(300)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the P4Runtime server", e);
        }
    }
}
