package io.stare.p4.program;

import io.stare.p4.runtime.P4InfoFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import p4.v1.ForwardingPipelineConfig;

/**
 * The compiled STARE programs shipped on the classpath ({@code io/stare/p4/programs/}): the
 * P4Info and the BMv2 JSON that p4c made of {@code p4/src/main/p4}, ready to push to BMv2 or to
 * the software switch.
 */
public final class StarePrograms {

    static final String ROOT = "io/stare/p4/programs/";

    private StarePrograms() {
    }

    /** The pipeline config of a mode: its P4Info, and its BMv2 JSON as the device config. */
    public static ForwardingPipelineConfig config(StareProgram.Mode mode) {
        return build(mode.packageName(), DeviceConfig.BMV2_JSON);
    }

    /**
     * The front ports the shipped programs are compiled for ({@code STARE_PORTS}): a switch running
     * them uses ports {@code 0..FRONT_PORTS-1} and ignores the rest, so a topology must not give a
     * switch more.
     */
    public static final int FRONT_PORTS = 8;

    /** The state capacity the shipped {@code stare_register} program is compiled with. */
    public static final int DEFAULT_STATE_CAPACITY = 2048;

    /**
     * The register program's capacities shipped on the classpath: the default build and the
     * {@code -DSTATE_CAPACITY=N} builds ({@code stare_register_N.*}) a State4 reconfiguration grows to.
     */
    public static final java.util.List<Integer> REGISTER_CAPACITIES = java.util.List.of(DEFAULT_STATE_CAPACITY, 4096, 8192);

    /**
     * The pipeline config of a mode compiled for {@code capacity} states: the default build for
     * {@link #DEFAULT_STATE_CAPACITY}, else the register program's {@code stare_register_CAPACITY}
     * outputs (their {@code pkg_info.name} stays {@code stare_register}).
     *
     * @throws IllegalArgumentException for a capacity not in {@link #REGISTER_CAPACITIES}, or any
     *     capacity but the default for the embedded program (its table size is fixed)
     */
    public static ForwardingPipelineConfig config(StareProgram.Mode mode, int capacity) {
        return config(mode, capacity, DeviceConfig.BMV2_JSON);
    }

    /** As {@link #config(StareProgram.Mode, int)}, with the device config a target wants. */
    public static ForwardingPipelineConfig config(StareProgram.Mode mode, int capacity, DeviceConfig target) {
        if (capacity == DEFAULT_STATE_CAPACITY) {
            return build(mode.packageName(), target);
        }
        if (mode != StareProgram.Mode.REGISTER || !REGISTER_CAPACITIES.contains(capacity)) {
            throw new IllegalArgumentException("no " + mode.packageName() + " build for capacity " + capacity
                    + "; shipped register capacities: " + REGISTER_CAPACITIES);
        }
        return build(mode.packageName() + "_" + capacity, target);
    }

    private static ForwardingPipelineConfig build(String build, DeviceConfig target) {
        return ForwardingPipelineConfig.newBuilder()
                .setP4Info(P4InfoFiles.fromResource(ROOT + build + ".p4info.txt"))
                .setP4DeviceConfig(target.forBuild(build))
                .build();
    }

    static byte[] resource(String name) {
        try (InputStream in = StarePrograms.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
