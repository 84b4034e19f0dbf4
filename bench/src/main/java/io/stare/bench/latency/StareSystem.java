package io.stare.bench.latency;

import io.stare.actors.middleware.PublishResult;
import io.stare.actors.middleware.StareClient;
import io.stare.actors.middleware.StateListener;
import io.stare.p4.softswitch.StareProgram;
import io.stare.testkit.StareFabric;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * STARE through the software switch: the test kit's in-JVM fabric ({@link StareFabric}), one switch
 * programmed by its switch agent over P4Runtime, the publisher VNF on host {@code pub}, one
 * subscriber VNF on each of the hosts {@code sub0 .. sub(N-1)}. Every middleware talks to its switch
 * port over UDP on 127.0.0.1 (the tunnel transport) through the fabric's link relay, which adds a
 * hop of its own. The replica controller (in-memory store) receives the backlog appends.
 */
public final class StareSystem implements PubSubSystem {

    private static final String STATE = "bench";
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
        return "StareClient -> Vnf actor -> middleware (EXT) -> UDP tunnel -> fabric link relay -> software switch ("
                + mode.name().toLowerCase(java.util.Locale.ROOT) + " mode) -> link relay -> N middlewares -> Vnf actor "
                + "-> listener, 127.0.0.1";
    }

    @Override
    public Session start(int subscribers, int payloadSize, Receiver receiver) throws Exception {
        String[] hosts = new String[subscribers + 1];
        hosts[0] = "pub";
        for (int i = 0; i < subscribers; i++) {
            hosts[i + 1] = "sub" + i;
        }
        StareFabric fabric = StareFabric.builder().topology(StareFabric.singleSwitch(hosts)).mode(mode)
                .timeout(Duration.ofSeconds(30)).start();
        try {
            StareClient publisher = fabric.vnf("pub", "bench-publisher");
            int stateId = fabric.await(publisher.declare(STATE));
            for (int i = 0; i < subscribers; i++) {
                int index = i;
                StareClient subscriber = fabric.vnf(hosts[i + 1], "bench-subscriber-" + i);
                fabric.await(subscriber.subscribe(STATE, new StateListener() {
                    @Override
                    public void onUpdate(int state, long update, byte[] value) {
                        receiver.onDelivery(index, value, 0, value.length, System.nanoTime());
                    }
                }));
                fabric.awaitRoute(stateId, "pub", hosts[i + 1]);
            }
            return new StareSession(fabric, publisher, stateId);
        } catch (Exception | Error e) {
            fabric.close();
            throw e;
        }
    }

    private static final class StareSession implements Session {
        private final StareFabric fabric;
        private final StareClient publisher;
        private final int stateId;
        private final AtomicLong refused = new AtomicLong();
        private final AtomicReference<String> firstRefusal = new AtomicReference<>("");

        StareSession(StareFabric fabric, StareClient publisher, int stateId) {
            this.fabric = fabric;
            this.publisher = publisher;
            this.stateId = stateId;
        }

        @Override
        public boolean publish(byte[] payload) {
            // Asynchronous: the harness paces by intended time; a refusal is counted when it comes back.
            publisher.publish(stateId, payload).whenComplete((result, error) -> {
                if (error != null || result instanceof PublishResult.Refused) {
                    refused.incrementAndGet();
                    firstRefusal.compareAndSet("", error != null ? String.valueOf(error) : String.valueOf(result));
                }
            });
            return true;
        }

        @Override
        public long refusedLater() {
            return refused.get();
        }

        @Override
        public String firstRefusal() {
            return firstRefusal.get();
        }

        @Override
        public void close() {
            fabric.close();
        }
    }
}
