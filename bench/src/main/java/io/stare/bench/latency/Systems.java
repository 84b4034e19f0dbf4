package io.stare.bench.latency;

import io.stare.p4.program.StareProgram;
import java.util.List;

/** The systems the harness knows, by command-line name. */
public final class Systems {

    /** Every name {@link #create} accepts, in the default order (STARE first: every ratio is to it). */
    public static final List<String> KNOWN = List.of("stare", "stare-embedded", "udp", "redis", "nats", "mqtt", "aeron",
            "ddata");

    private Systems() {
    }

    /** A new system named {@code name}. */
    public static PubSubSystem create(String name) {
        switch (name) {
            case "stare":
                return new StareSystem(StareProgram.Mode.REGISTER);
            case "stare-embedded":
                return new StareSystem(StareProgram.Mode.EMBEDDED);
            case "udp":
                return new UdpFloorSystem();
            case "redis":
                return new RedisSystem();
            case "nats":
                return new NatsSystem();
            case "mqtt":
                return new MqttSystem();
            case "aeron":
                return new AeronSystem();
            case "ddata":
                return new DistributedDataSystem();
            default:
                throw new IllegalArgumentException("unknown system " + name + "; known: " + String.join(",", KNOWN));
        }
    }
}
