package io.stare.actors.agent.bmv2;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stare.actors.agent.AgentSettings;
import io.stare.actors.agent.AgentView;
import io.stare.actors.agent.SwitchAgent;
import io.stare.p4.bmv2.Bmv2Target;
import io.stare.p4.bmv2.Host;
import io.stare.p4.bmv2.NetworkNamespace;
import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.program.StareProgram;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.javadsl.Sink;
import p4.v1.Entity;
import p4.v1.P4RuntimeClient;
import p4.v1.ReadRequest;
import p4.v1.ReadResponse;

/**
 * A fresh BMv2 for one agent test (p4's test harness: its own network namespace, veth ports,
 * P4Runtime through a loopback forwarder, frames through a tap), and what the tests do with it:
 * STARE frames in and out of its front ports, agent settings, bounded waits on agent views.
 */
final class Bmv2Switch implements AutoCloseable {

    static final long DEVICE = 1;
    static final int PORTS = 3;
    static final Duration WAIT = Duration.ofSeconds(15);

    private final NetworkNamespace namespace;
    private final Bmv2Target target;

    private Bmv2Switch(NetworkNamespace namespace, Bmv2Target target) {
        this.namespace = namespace;
        this.target = target;
    }

    /** Skips the calling test, with the reason, where BMv2 cannot run. */
    static void assumeBmv2() {
        Optional<String> missing = Host.missing();
        assumeTrue(missing.isEmpty(), missing::get);
    }

    /** A namespace with {@link #PORTS} veth ports and a BMv2 without a program on them. */
    static Bmv2Switch start() throws Exception {
        assumeBmv2();
        NetworkNamespace namespace = NetworkNamespace.create(PORTS);
        try {
            return new Bmv2Switch(namespace, Bmv2Target.start(namespace));
        } catch (Exception | Error e) {
            namespace.close();
            throw e;
        }
    }

    int p4RuntimePort() {
        return target.p4RuntimePort();
    }

    /** Kills BMv2 and starts an empty one on the same ports and P4Runtime address. */
    void restart() throws Exception {
        target.restart(namespace);
    }

    String log() {
        return target.log();
    }

    /** Agent settings for this switch: short timeouts, default State4 parameters (access auto). */
    AgentSettings settings(long electionId, StareProgram.Mode mode, long treePorts) {
        return new AgentSettings("127.0.0.1", p4RuntimePort(), DEVICE, BigInteger.valueOf(electionId), "", mode,
                treePorts, 8, Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5),
                Duration.ofMillis(200), Duration.ofMillis(800), 4);
    }

    /** A SUB message or a single-segment publish from host {@code host} into front port {@code port}. */
    void send(int port, MessageKind kind, int state, int update, int host, byte[] payload) throws Exception {
        target.send(port, frame(kind, state, update, host, payload));
    }

    /** The frame {@link #send} sends. */
    static byte[] frame(MessageKind kind, int state, int update, int host, byte[] payload) {
        StareHeader header = kind == MessageKind.PUBLISH ? new StareHeader(kind, state, update, host, 1, 0)
                : StareHeader.subscription(kind, state, update, host);
        return Ethernet.wrapIpv4Multicast(0x0200_0000_0000L + host,
                PacketCodec.encode(new StarePacket(0xc0000200 | host, 40000, 64, header, payload)));
    }

    /** A STARE packet that left front port {@code port}. */
    record Out(int port, StarePacket packet) {
        MessageKind kind() {
            return packet.header().kind();
        }
    }

    /**
     * The STARE packets that left the front ports since the last call, waiting until one matches
     * {@code enough} (then a quiet period) or {@code max}.
     */
    List<Out> collect(Predicate<List<Out>> enough, Duration max) throws Exception {
        List<Out> all = new ArrayList<>();
        long deadline = System.nanoTime() + max.toNanos();
        do {
            for (PipelineResult.Emission e : target.collect(1, Duration.ofMillis(500))) {
                var frame = Ethernet.unwrap(e.frame());
                if (frame.isOk()) {
                    var packet = PacketCodec.decode(frame.orElseThrow().payload());
                    if (packet.isOk()) {
                        all.add(new Out(e.port(), packet.orElseThrow()));
                    }
                }
            }
        } while (!enough.test(all) && System.nanoTime() < deadline);
        return all;
    }

    /** The packets of {@code kind} among {@code out}. */
    static List<Out> of(List<Out> out, MessageKind kind) {
        return out.stream().filter(o -> o.kind() == kind).toList();
    }

    static boolean has(List<Out> out, MessageKind kind, int port) {
        return out.stream().anyMatch(o -> o.kind() == kind && o.port() == port);
    }

    /** Asks the agent for its view until {@code condition} holds, at most {@code max}. */
    static AgentView awaitView(ActorTestKit kit, ActorRef<SwitchAgent.Command> agent, Predicate<AgentView> condition,
                               Duration max) {
        return io.stare.actors.agent.AgentTestSupport.awaitView(kit, agent, condition, max);
    }

    /** Every entity matching {@code filter}, read by a separate P4Runtime client. */
    List<Entity> read(ActorSystem<?> system, Entity filter) throws Exception {
        P4RuntimeClient client = P4RuntimeClient.create(GrpcClientSettings
                .connectToServiceAt("127.0.0.1", p4RuntimePort(), system).withTls(false), system);
        try {
            List<ReadResponse> responses = client.read(ReadRequest.newBuilder().setDeviceId(DEVICE)
                    .addEntities(filter).build()).runWith(Sink.seq(), system).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            return responses.stream().flatMap(r -> r.getEntitiesList().stream()).toList();
        } finally {
            client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        try {
            target.close();
        } finally {
            namespace.close();
        }
    }
}
