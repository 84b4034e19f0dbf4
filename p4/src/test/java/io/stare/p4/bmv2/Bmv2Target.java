package io.stare.p4.bmv2;

import io.stare.p4.pipeline.PipelineResult;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * BMv2 as a {@link SwitchTarget}: a {@link Bmv2Process} (simple_switch_grpc without a program in the
 * test's own {@link NetworkNamespace}, P4Runtime through a loopback forwarder) plus a
 * {@link FrameTap} on the veth peers, through which frames go in and out.
 *
 * <p>The system property {@code stare.bmv2.log} sets BMv2's log level (default {@code warn});
 * {@link #log()} returns the log until {@link #close()}.
 */
public final class Bmv2Target implements SwitchTarget {

    private final Bmv2Process bmv2;
    private FrameTap tap;

    private Bmv2Target(Bmv2Process bmv2) {
        this.bmv2 = bmv2;
    }

    /** Starts BMv2 on the namespace's switch-side interfaces; closes everything it made if that fails. */
    public static Bmv2Target start(NetworkNamespace namespace) throws IOException, InterruptedException {
        Bmv2Target target = new Bmv2Target(Bmv2Process.start(namespace));
        try {
            target.tap = FrameTap.start(namespace, target.bmv2.dir());
        } catch (IOException | RuntimeException e) {
            target.close();
            throw e;
        }
        return target;
    }

    /**
     * Kills BMv2 and starts a new, empty one (no program) on the same ports, P4Runtime socket and
     * loopback TCP port, as a switch restart: connections through the forwarder end, new ones
     * reach the new process; the frame tap stays.
     */
    public void restart(NetworkNamespace namespace) throws IOException, InterruptedException {
        bmv2.restart(namespace);
    }

    /** BMv2's output so far (for failure messages). */
    public String log() {
        return bmv2.log();
    }

    @Override
    public String name() {
        return "BMv2";
    }

    @Override
    public int p4RuntimePort() {
        return bmv2.p4RuntimePort();
    }

    @Override
    public int portCount() {
        return bmv2.ports();
    }

    @Override
    public boolean runsP4Program() {
        return true;
    }

    @Override
    public boolean servesRegisters() {
        return false;
    }

    /** Found by {@link P4RuntimeConformance} with BMv2 1.15.5 and PI at f96af95 (December 2026). */
    @Override
    public Set<SpecDeviation> deviations() {
        return EnumSet.allOf(SpecDeviation.class);
    }

    @Override
    public Duration quietPeriod() {
        return Duration.ofMillis(250);
    }

    @Override
    public void send(int port, byte[] frame) throws IOException {
        tap.send(port, frame);
    }

    @Override
    public List<PipelineResult.Emission> collect(int expected, Duration max) throws IOException {
        return tap.collect(expected, max, quietPeriod());
    }

    /** Stops the tap first: its script lives in BMv2's directory, which closing BMv2 deletes. */
    @Override
    public void close() {
        if (tap != null) {
            tap.close();
        }
        bmv2.close();
    }
}
