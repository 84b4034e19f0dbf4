package io.stare.p4.bmv2;

import io.stare.p4.pipeline.PipelineResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A switch the conformance tests run against: BMv2 ({@link Bmv2Target}) or the software switch
 * ({@link SoftSwitchTarget}). Both serve P4Runtime on a loopback TCP port and have front ports
 * {@code 0 .. portCount()-1} that take and give whole Ethernet frames.
 */
interface SwitchTarget extends AutoCloseable {

    /** For messages: which switch this is. */
    String name();

    /** The loopback TCP port of its P4Runtime server. */
    int p4RuntimePort();

    /** How many front ports exist (copies for other ports of an 8-port mask go nowhere). */
    int portCount();

    /** Whether it runs the compiled P4 program (BMv2) rather than the Java pipeline (software switch). */
    boolean runsP4Program();

    /** Whether it serves register entities over P4Runtime (BMv2: no, it answers UNIMPLEMENTED). */
    boolean servesRegisters();

    /** Where its P4Runtime server is known to depart from the specification (none for ours). */
    default Set<SpecDeviation> deviations() {
        return Set.of();
    }

    /** How long the tests wait, after the last output, to be sure no more comes. */
    Duration quietPeriod();

    /** Puts a frame into front port {@code port}. */
    void send(int port, byte[] frame) throws IOException;

    /**
     * The frames that left front ports since the last call: returns once {@code expected} have left
     * and no more for {@link #quietPeriod()}, or after {@code max}.
     */
    List<PipelineResult.Emission> collect(int expected, Duration max) throws IOException, InterruptedException;

    @Override
    void close();
}
