package io.stare.bench.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.stare.actors.controller.ClusterTls;
import io.stare.bench.scale.Percentiles;
import io.stare.protocol.CborSerializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The cluster transport's TLS: two actor systems in this JVM talking Artery over loopback (TCP, or
 * TLS 1.3 with mutual authentication as {@link ClusterTls} configures it for every node), one asking
 * the other's echo actor, one message at a time, with the payload of a control request (64 bytes) or
 * of a full Append batch (128 KiB), serialized as every cluster message is (Jackson CBOR).
 */
final class ClusterCost {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A message to echo. */
    public record Ping(byte[] payload, ActorRef<Pong> replyTo) implements CborSerializable {
    }

    /** The echo: the payload's length. */
    public record Pong(int length) implements CborSerializable {
    }

    private ClusterCost() {
    }

    /** Round trips of {@code measured} asks after {@code warmup}, each carrying {@code payloadBytes}. */
    static Percentiles roundTrips(Path pki, int payloadBytes, int warmup, int measured) throws Exception {
        ActorSystem<Void> asking = ActorSystem.create(Behaviors.empty(), "tls-cost-a", node(pki, "a"));
        ActorSystem<Void> echoing = ActorSystem.create(Behaviors.empty(), "tls-cost-b", node(pki, "b"));
        try {
            ActorRef<Ping> echo = echoing.systemActorOf(echo(), "echo", org.apache.pekko.actor.typed.Props.empty());
            ActorRef<Ping> remote = ActorRefResolver.get(asking).resolveActorRef(
                    ActorRefResolver.get(echoing).toSerializationFormat(echo));
            byte[] payload = new byte[payloadBytes];
            Histogram histogram = Percentiles.histogram();
            for (int i = 0; i < warmup + measured; i++) {
                long start = System.nanoTime();
                AskPattern.<Ping, Pong>ask(remote, replyTo -> new Ping(payload, replyTo), TIMEOUT, asking.scheduler())
                        .toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                if (i >= warmup) {
                    histogram.recordValue(System.nanoTime() - start);
                }
            }
            return Percentiles.of(histogram);
        } finally {
            asking.terminate();
            echoing.terminate();
            asking.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
            echoing.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    private static Behavior<Ping> echo() {
        return Behaviors.receive(Ping.class).onMessage(Ping.class, ping -> {
            ping.replyTo().tell(new Pong(ping.payload().length));
            return Behaviors.same();
        }).build();
    }

    /** A remoting node on 127.0.0.1 and a free port; with {@code pki}, cluster TLS with {@code pki/name}. */
    private static Config node(Path pki, String name) {
        Config config = ConfigFactory.parseString("""
                pekko.actor.provider = remote
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.loglevel = WARNING
                pekko.stdout-loglevel = WARNING
                """).withFallback(ConfigFactory.load());
        if (pki == null) {
            return config;
        }
        return ClusterTls.apply(config.withValue("stare.cluster.tls.directory",
                ConfigValueFactory.fromAnyRef(pki.resolve(name).toString())));
    }
}
