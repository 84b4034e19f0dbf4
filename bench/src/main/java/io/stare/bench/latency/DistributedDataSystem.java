package io.stare.bench.latency;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.util.ByteString;

/**
 * Pekko Distributed Data: N + 1 ActorSystems in this JVM on 127.0.0.1 (Artery TCP, ephemeral ports)
 * joined into one cluster, one publisher node and N subscriber nodes, replicating one state as an
 * {@link LWWRegister} of {@link ByteString} under a single key.
 *
 * <p><b>Why this CRDT.</b> A VNF replicating its state has one writer and wants every replica to
 * hold its latest value: a last-writer-wins register is exactly that (the other CRDTs merge
 * concurrent writers, which a single writer does not have). The value is a Pekko
 * {@link ByteString}, which Pekko serializes with its built-in ByteString serializer, so the
 * register really crosses the nodes' Artery connections (Java serialization is off); the session
 * checks it does before returning from {@link #start}.
 *
 * <p><b>Path and settings.</b> Each publish is a {@code Replicator.Update} with {@code WriteAll}
 * (timeout {@value #WRITE_TIMEOUT_MS} ms) to the publisher node's replicator, which writes the
 * register locally and sends it directly to every other node's replicator; WriteAll rather than
 * WriteLocal because a register is not a delta CRDT, so WriteLocal would leave every update to
 * gossip. The publish does not wait for the acknowledgements (a publisher keeps its pace); a write
 * that failed or was not acknowledged by every node in time is counted by {@link Session#refusedLater}.
 * Each subscriber node has an actor that {@code Subscribe}s to the key on its own replicator and gets
 * {@code Changed} events. A latency-minded user would lower the defaults, as set here:
 * {@code notify-subscribers-interval = 2 ms} (default 500 ms: the replicator batches changes and
 * notifies subscribers on this tick), {@code pekko.scheduler.tick-duration = 1 ms} (default 10 ms,
 * which would round the 2 ms up), and {@code distributed-data.gossip-interval = 50 ms} (default 2 s;
 * gossip only repairs a missed direct write here, and with N + 1 nodes on 2 cores a few-millisecond
 * gossip of 16 KB values would take more CPU than the updates). {@code log-data-size-exceeding} is off
 * (16 KB values would log a warning per session). Cluster gossip and leader actions run every 200 ms
 * so the cluster forms quickly; dispatchers are capped at 2 threads per node for the 2-core machine.
 * Any of them can be varied per run with a JVM system property (for example
 * {@code -Dpekko.cluster.distributed-data.notify-subscribers-interval=10ms}), which wins over these.
 *
 * <p><b>Semantics: latest value, not every update.</b> A subscriber is told the register's current
 * value at most once per notify tick (and a write that arrives while an older one is still pending
 * supersedes it), so at rates above one update per tick a subscriber sees only some of the updates.
 * Those it does not see count as lost in the harness: that is Distributed Data's contract (state
 * convergence, not a message stream), honestly measured for this workload, and the percentiles
 * are over the updates that were delivered.
 */
public final class DistributedDataSystem implements PubSubSystem {

    private static final String SYSTEM_NAME = "stare-bench-ddata";
    private static final long WRITE_TIMEOUT_MS = 1_000;
    private static final Duration FORMATION_BASE = Duration.ofSeconds(15);
    private static final Duration FORMATION_PER_NODE = Duration.ofMillis(500);
    private static final Duration FIRST_VALUE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TERMINATE_TIMEOUT = Duration.ofSeconds(15);

    private static final Config NODE_CONFIG = ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.enabled = off
            pekko.cluster.gossip-interval = 200ms
            pekko.cluster.leader-actions-interval = 200ms
            pekko.cluster.distributed-data.notify-subscribers-interval = 2ms
            pekko.cluster.distributed-data.gossip-interval = 50ms
            pekko.cluster.distributed-data.log-data-size-exceeding = off
            pekko.scheduler.tick-duration = 1ms
            pekko.actor.default-dispatcher.fork-join-executor.parallelism-max = 2
            pekko.actor.internal-dispatcher.fork-join-executor.parallelism-max = 2
            # Errors only: nodes stopping together log their lost associations as warnings.
            pekko.loglevel = ERROR
            pekko.log-dead-letters = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            pekko.coordinated-shutdown.phases.cluster-leave.timeout = 1s
            pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 1s
            """);

    @Override
    public String name() {
        return "ddata";
    }

    @Override
    public String path() {
        return "Replicator.Update LWWRegister<ByteString> WriteAll -> Artery TCP 127.0.0.1 -> N nodes' replicators "
                + "-> Changed to a subscriber actor each (notify-subscribers-interval 2 ms, tick 1 ms, gossip 50 ms; "
                + "latest value only)";
    }

    @Override
    public Session start(int subscribers, int payloadSize, Receiver receiver) throws Exception {
        return new DdataSession(subscribers, receiver);
    }

    private static final class DdataSession implements Session {
        private final List<ActorSystem<Void>> nodes = new ArrayList<>();
        private final Key<LWWRegister<ByteString>> key = LWWRegisterKey.create("stare-bench-" + System.nanoTime());
        private final Refusals refusals = new Refusals();
        private final ActorSystem<Void> publisherNode;
        private final ActorRef<Replicator.Command> replicator;
        private final SelfUniqueAddress self;
        private final ActorRef<Replicator.UpdateResponse<LWWRegister<ByteString>>> responses;
        private final Replicator.WriteConsistency writeAll =
                new Replicator.WriteAll(Duration.ofMillis(WRITE_TIMEOUT_MS));
        private final LWWRegister<ByteString> initial;

        DdataSession(int subscribers, Receiver receiver) throws Exception {
            try {
                // System properties (-Dpekko...) still win, so the settings can be varied per run.
                Config config = ConfigFactory.systemProperties().withFallback(NODE_CONFIG)
                        .withFallback(ConfigFactory.load());
                for (int i = 0; i <= subscribers; i++) {
                    nodes.add(ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config));
                }
                publisherNode = nodes.get(0);
                formCluster(FORMATION_BASE.plus(FORMATION_PER_NODE.multipliedBy(nodes.size())));

                DistributedData ddata = DistributedData.get(publisherNode);
                replicator = ddata.replicator();
                self = ddata.selfUniqueAddress();
                initial = LWWRegister.create(self, ByteString.emptyByteString());
                responses = publisherNode.systemActorOf(responseCounter(), "stare-bench-ddata-responses",
                        Props.empty());

                CountDownLatch firstValue = new CountDownLatch(subscribers);
                for (int i = 0; i < subscribers; i++) {
                    ActorSystem<Void> node = nodes.get(i + 1);
                    node.systemActorOf(subscriber(DistributedData.get(node).replicator(), key, i, receiver, firstValue),
                            "stare-bench-ddata-subscriber", Props.empty());
                }
                // A first value, shorter than the harness's header so the harness ignores it, proves
                // that every subscription is in place and that the register crosses nodes.
                update(ByteString.fromArray(new byte[1]));
                if (!firstValue.await(FIRST_VALUE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new TimeoutException("ddata: " + firstValue.getCount() + " of " + subscribers
                            + " subscriber nodes did not receive the first replicated value within "
                            + FIRST_VALUE_TIMEOUT.toSeconds() + " s");
                }
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        /** Every node joins the first; returns when every node sees every node Up. */
        private void formCluster(Duration timeout) throws InterruptedException, TimeoutException {
            Address seed = Cluster.get(publisherNode).selfMember().address();
            for (ActorSystem<Void> node : nodes) {
                Cluster.get(node).manager().tell(Join.create(seed));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                int fewestUp = Integer.MAX_VALUE;
                for (ActorSystem<Void> node : nodes) {
                    int up = 0;
                    for (Member member : Cluster.get(node).state().getMembers()) {
                        if (member.status() == MemberStatus.up()) {
                            up++;
                        }
                    }
                    fewestUp = Math.min(fewestUp, up);
                }
                if (fewestUp == nodes.size()) {
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new TimeoutException("ddata: the cluster of " + nodes.size() + " nodes did not form within "
                            + timeout.toSeconds() + " s (a node sees only " + fewestUp + " members Up)");
                }
                Thread.sleep(20);
            }
        }

        private Behavior<Replicator.UpdateResponse<LWWRegister<ByteString>>> responseCounter() {
            return Behaviors.receiveMessage(response -> {
                if (!(response instanceof Replicator.UpdateSuccess)) {
                    refusals.add(response instanceof Replicator.UpdateTimeout
                            ? "UpdateTimeout: not every node acknowledged the write within " + WRITE_TIMEOUT_MS + " ms"
                            : response.toString());
                }
                return Behaviors.same();
            });
        }

        /**
         * A subscriber node's actor: subscribes on its own node's replicator and hands every value
         * to the harness, except the session's first value, which only tells the session it arrived.
         */
        private static Behavior<Replicator.SubscribeResponse<LWWRegister<ByteString>>> subscriber(
                ActorRef<Replicator.Command> replicator, Key<LWWRegister<ByteString>> key, int index,
                Receiver receiver, CountDownLatch firstValue) {
            return Behaviors.setup(context -> {
                replicator.tell(new Replicator.Subscribe<>(key, context.getSelf()));
                // The latch is shared by the N subscribers: each counts down once.
                boolean[] counted = {false};
                return Behaviors.receiveMessage(response -> {
                    if (response instanceof Replicator.Changed<LWWRegister<ByteString>> changed) {
                        long now = System.nanoTime();
                        ByteString value = changed.dataValue().getValue();
                        if (value.length() < Payloads.HEADER) {
                            if (!counted[0]) {
                                counted[0] = true;
                                firstValue.countDown();
                            }
                        } else {
                            byte[] bytes = value.toArray();
                            receiver.onDelivery(index, bytes, 0, bytes.length, now);
                        }
                    }
                    return Behaviors.same();
                });
            });
        }

        private void update(ByteString value) {
            replicator.tell(new Replicator.Update<>(key, initial, writeAll, responses,
                    register -> register.withValue(self, value)));
        }

        @Override
        public boolean publish(byte[] payload) {
            // fromArray copies: the harness reuses its payload array.
            update(ByteString.fromArray(payload));
            return true;
        }

        @Override
        public long refusedLater() {
            return refusals.count();
        }

        @Override
        public String firstRefusal() {
            return refusals.first();
        }

        @Override
        public void close() throws InterruptedException {
            for (ActorSystem<Void> node : nodes) {
                node.terminate();
            }
            long deadline = System.nanoTime() + TERMINATE_TIMEOUT.toNanos();
            for (ActorSystem<Void> node : nodes) {
                long left = Math.max(1, deadline - System.nanoTime());
                try {
                    node.getWhenTerminated().toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // A node that does not stop in time is left to the JVM; the next session is independent.
                }
            }
        }
    }
}
