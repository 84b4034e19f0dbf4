package io.stare.p4.program;

import com.google.protobuf.ByteString;

/**
 * What a target takes as P4Runtime's {@code p4_device_config} for one build of a STARE program:
 * the one place that knows the target's compiled format. BMv2 takes p4c's JSON, and the software
 * switch accepts the same (it runs the pipelines in Java and ignores the bytes); a Tofino
 * implementation would return the packaged bf-p4c output of the same build.
 */
@FunctionalInterface
public interface DeviceConfig {

    /**
     * The device config of a build, e.g. {@code stare_register} or {@code stare_register_4096}.
     *
     * @throws IllegalStateException if the target has no such build
     */
    ByteString forBuild(String build);

    /** BMv2 JSON from the classpath ({@code io/stare/p4/programs/BUILD.json}), also for the software switch. */
    DeviceConfig BMV2_JSON = build -> ByteString.copyFrom(StarePrograms.resource(StarePrograms.ROOT + build + ".json"));
}
