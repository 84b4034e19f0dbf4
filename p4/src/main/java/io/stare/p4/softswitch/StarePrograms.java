package io.stare.p4.softswitch;

import com.google.protobuf.ByteString;
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

    private static final String ROOT = "io/stare/p4/programs/";

    private StarePrograms() {
    }

    /** The pipeline config of a mode: its P4Info, and its BMv2 JSON as the device config. */
    public static ForwardingPipelineConfig config(StareProgram.Mode mode) {
        String name = mode.packageName();
        return ForwardingPipelineConfig.newBuilder()
                .setP4Info(P4InfoFiles.fromResource(ROOT + name + ".p4info.txt"))
                .setP4DeviceConfig(ByteString.copyFrom(resource(ROOT + name + ".json")))
                .build();
    }

    private static byte[] resource(String name) {
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
