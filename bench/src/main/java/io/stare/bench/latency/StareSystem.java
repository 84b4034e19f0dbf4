package io.stare.bench.latency;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.fabric.LocalFabric;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import io.stare.p4.topology.Topology;
import java.time.Duration;

/**
 * STARE through the software switch: the in-JVM fabric ({@link LocalFabric}), switches
 * programmed by their switch agents over P4Runtime, the publisher VNF on host {@code pub}, one
 * subscriber VNF on each of the hosts {@code sub0 .. sub(N-1)}. Every middleware talks to its switch
 * port directly over UDP on 127.0.0.1 (the tunnel transport; the fabric's impairment relays are
 * off, as there is nothing to impair here). The replica controller (in-memory store) receives the
 * backlog appends.
 *
 * <p>Up to 8 hosts share one switch: the shipped P4 programs are compiled for 8 front ports
 * ({@link StarePrograms#FRONT_PORTS}). More subscribers sit on leaf switches of up to 7 below the
 * publisher's switch: two switch hops instead of one (N = 16 gives leaves of 7, 7 and 2).
 */
public final class StareSystem implements PubSubSystem {

    private static final String STATE = "bench";
    /** Hosts one switch can take: the programs' front ports. */
    static final int ONE_SWITCH_HOSTS = StarePrograms.FRONT_PORTS;
    /** Subscribers per leaf switch when they do not fit on one (one port goes up to the root). */
    static final int HOSTS_PER_LEAF = StarePrograms.FRONT_PORTS - 1;
    private final StareProgram.Mode mode;

    public StareSystem(StareProgram.Mode mode) {
        this.mode = mode;
    }

    public StareSystem() {
        this(StareProgram.Mode.REGISTER);
    }

    @Override
    public String name() {
        return mode == StareProgram.Mode.REGISTER ? "stare" : "stare-embedded";
    }

    @Override
    public String path() {
        return "StareClient.tryPublish (publish log) -> middleware main path -> UDP tunnel -> software switch ("
                + mode.name().toLowerCase(java.util.Locale.ROOT) + " mode; over " + (ONE_SWITCH_HOSTS - 1)
                + " subscribers a second level of leaf switches) -> N middlewares' main paths -> UpdateHandler, "
                + "127.0.0.1";
    }

    @Override
    public Session start(int subscribers, int payloadSize, Receiver receiver) throws Exception {
        String[] hosts = new String[subscribers + 1];
        hosts[0] = "pub";
        for (int i = 0; i < subscribers; i++) {
            hosts[i + 1] = "sub" + i;
        }
        LocalFabric fabric = LocalFabric.builder().topology(topology(hosts)).mode(mode).relays(false)
                .timeout(Duration.ofSeconds(30)).start();
        try {
            StareClient publisher = fabric.vnf("pub", "bench-publisher");
            int stateId = fabric.await(publisher.declare(STATE));
            for (int i = 0; i < subscribers; i++) {
                int index = i;
                StareClient subscriber = fabric.vnf(hosts[i + 1], "bench-subscriber-" + i);
                // In place, on the subscriber middleware's main path: what a latency-minded VNF does.
                byte[] copy = new byte[payloadSize];
                fabric.await(subscriber.subscribe(STATE, (state, from, update, buffer, offset, length) -> {
                    long now = System.nanoTime();
                    int n = Math.min(length, copy.length);
                    buffer.get(offset, copy, 0, n);
                    receiver.onDelivery(index, copy, 0, n, now);
                }));
                fabric.awaitRoute(stateId, "pub", hosts[i + 1]);
            }
            return new StareSession(fabric, publisher, stateId);
        } catch (Exception | Error e) {
            fabric.close();
            throw e;
        }
    }

    /** One switch for all hosts when they fit, else the publisher's switch s0 above leaves s1, s2, ... of subscribers. */
    static Topology topology(String[] hosts) {
        if (hosts.length <= ONE_SWITCH_HOSTS) {
            return LocalFabric.singleSwitch(hosts);
        }
        int subscribers = hosts.length - 1;
        int leaves = (subscribers + HOSTS_PER_LEAF - 1) / HOSTS_PER_LEAF;
        if (leaves + 1 > ONE_SWITCH_HOSTS) {
            throw new IllegalArgumentException(subscribers + " subscribers need more than one level of leaf switches");
        }
        Topology.Builder builder = Topology.builder().addSwitch("s0", leaves + 1).addHost(hosts[0], "s0", 0);
        for (int leaf = 0; leaf < leaves; leaf++) {
            int first = leaf * HOSTS_PER_LEAF;
            int count = Math.min(HOSTS_PER_LEAF, subscribers - first);
            String name = "s" + (leaf + 1);
            builder.addSwitch(name, count + 1).addLink("s0", leaf + 1, name, 0);
            for (int j = 0; j < count; j++) {
                builder.addHost(hosts[1 + first + j], name, j + 1);
            }
        }
        return builder.build();
    }

    private static final class StareSession implements Session {
        private final LocalFabric fabric;
        private final StareClient publisher;
        private final int stateId;
        private final Refusals refusals = new Refusals();

        StareSession(LocalFabric fabric, StareClient publisher, int stateId) {
            this.fabric = fabric;
            this.publisher = publisher;
            this.stateId = stateId;
        }

        @Override
        public boolean publish(byte[] payload) {
            // On the harness's thread, no actor: the bytes are in the publish log when this returns.
            long code = publisher.tryPublish(stateId, payload, 0, payload.length);
            if (code < 0) {
                refusals.add(String.valueOf(PublishResult.of(stateId, code, 0))); // the reason; the harness counts
                return false;
            }
            return true;
        }

        @Override
        public String firstRefusal() {
            return refusals.first();
        }

        @Override
        public void close() {
            fabric.close();
        }
    }
}
