package io.stare.bench.state;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.client.StateCodec;
import io.stare.fabric.LocalFabric;
import io.stare.state.CounterMapState;
import io.stare.state.CounterState;
import io.stare.state.Merge;
import io.stare.state.Mode;
import io.stare.state.Scope;
import io.stare.state.StateSettings;
import io.stare.state.StateSpace;
import io.stare.state.global.GlobalServer;
import io.stare.state.global.GlobalSettings;
import io.stare.state.global.GlobalView;
import io.stare.state.global.Reduce;
import io.stare.state.global.RequestReplyView;
import io.stare.state.global.StareGlobalView;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreException;
import io.stare.state.store.StateStores;
import io.stare.state.store.memory.MemoryStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code stare bench state}: FlexState's Fig. 7 analogue (a counter's updates per second,
 * synchronous against asynchronous, on each driver) and E-State's Fig. 5 right (getGlobal's latency
 * against the number of instances, over STARE, request/reply and a central Redis), every peer in
 * the same run.
 */
public final class StateBench {

    private static final StateCodec<String> TEXT = StateCodec.utf8();

    /** The run's settings. */
    public record Settings(List<String> drivers, Duration warmUp, Duration measure, List<Integer> instances,
                           int reads, int flows) {
    }

    private StateBench() {
    }

    /** Runs both parts, printing as it goes. */
    public static void run(Settings settings, PrintWriter out) throws Exception {
        out.println("state API benchmark; " + Runtime.getRuntime().availableProcessors() + " cores, JVM "
                + System.getProperty("java.version") + "; warm-up " + settings.warmUp().toSeconds() + " s, "
                + settings.measure().toSeconds() + " s per point");
        counterUpdates(settings, out);
        globalReads(settings, out);
    }

    private static void counterUpdates(Settings settings, PrintWriter out) throws Exception {
        out.println();
        out.println("1. a counter's updates per second, one writer (FlexState Fig. 7: 2 vs 12 Mpps on DPDK, 6x)");
        out.println(String.format(Locale.ROOT, "%-10s %15s %15s %9s", "driver", "sync /s", "async /s", "async/sync"));
        out.flush();
        for (String driver : settings.drivers()) {
            StateStore store;
            try {
                store = StateStores.open(block(driver));
            } catch (StateStoreException e) {
                out.println(String.format(Locale.ROOT, "%-10s skipped: %s", driver, e.getMessage()));
                continue;
            }
            try (store) {
                double sync = updatesPerSecond(store, Mode.SYNC, settings);
                double async = updatesPerSecond(store, Mode.ASYNC, settings);
                out.println(String.format(Locale.ROOT, "%-10s %15.0f %15.0f %8.1fx", driver, sync, async, async / sync));
                out.flush();
            }
        }
    }

    /** Updates per second in {@code mode}, the async flush to the store included, checked against the store. */
    private static double updatesPerSecond(StateStore store, Mode mode, Settings settings) throws Exception {
        String nf = "bench" + UUID.randomUUID().toString().substring(0, 8);
        StateSettings s = new StateSettings(nf, "0", mode, Duration.ofMillis(1), 100_000, ConfigFactory.empty());
        try (StateSpace space = StateSpace.over(s, store, System::currentTimeMillis)) {
            CounterState counter = space.partition(0).counter("packets");
            counter.get().toCompletableFuture().get(10, TimeUnit.SECONDS);
            loop(counter, mode, settings.warmUp());
            space.flush(Duration.ofSeconds(30));
            long before = counter.get().toCompletableFuture().get(10, TimeUnit.SECONDS);
            long start = System.nanoTime();
            long done = loop(counter, mode, settings.measure());
            if (!space.flush(Duration.ofSeconds(30))) {
                throw new IllegalStateException(mode + " on " + store.label() + ": not flushed within 30 s");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long stored = store.counter(counter.key()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (stored - before != done) {
                throw new IllegalStateException(mode + " on " + store.label() + ": the store counted "
                        + (stored - before) + " of " + done + " updates");
            }
            counter.delete();
            space.flush(Duration.ofSeconds(10));
            return done / seconds;
        }
    }

    private static long loop(CounterState counter, Mode mode, Duration length) throws Exception {
        long end = System.nanoTime() + length.toNanos();
        long done = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 256; i++) {
                if (mode == Mode.SYNC) {
                    counter.add(1).toCompletableFuture().get(10, TimeUnit.SECONDS);
                } else {
                    counter.add(1);
                }
                done++;
            }
        }
        return done;
    }

    private static void globalReads(Settings settings, PrintWriter out) throws Exception {
        out.println();
        out.println("2. getGlobal latency against instances, " + settings.flows() + " flow counters per instance "
                + "(E-State Fig. 5 right), microseconds p50 / p90 / p99 over " + settings.reads() + " reads");
        out.println(String.format(Locale.ROOT, "%-9s %-26s %-26s %-26s", "instances", "over STARE",
                "request/reply", "central Redis"));
        out.flush();
        StateStore redis = null;
        try {
            redis = StateStores.open(block("redis"));
        } catch (StateStoreException e) {
            out.println("central Redis skipped: " + e.getMessage());
        }
        int maxInstances = settings.instances().stream().mapToInt(Integer::intValue).max().orElse(2);
        List<String> hosts = new ArrayList<>();
        for (int h = 1; h <= Math.min(4, maxInstances); h++) {
            hosts.add("h" + h);
        }
        try (LocalFabric fabric = LocalFabric.builder().topology(LocalFabric.singleSwitch(hosts.toArray(String[]::new)))
                .timeout(Duration.ofSeconds(60)).start()) {
            for (int n : settings.instances()) {
                out.println(String.format(Locale.ROOT, "%-9d %-26s %-26s %-26s", n,
                        readsOf(fabric, hosts, n, settings, redis, 0), readsOf(fabric, hosts, n, settings, redis, 1),
                        readsOf(fabric, hosts, n, settings, redis, 2)));
                out.flush();
            }
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
    }

    /** One cell: {@code n} instances of a fresh NF, read {@code settings.reads()} times from instance 0. */
    private static String readsOf(LocalFabric fabric, List<String> hosts, int n, Settings settings, StateStore redis,
                                  int variant) throws Exception {
        if (variant == 2 && redis == null) {
            return "-";
        }
        String nf = "g" + n + "v" + variant + UUID.randomUUID().toString().substring(0, 6);
        GlobalSettings global = new GlobalSettings("estate", n, Duration.ofMillis(200), Duration.ofSeconds(3),
                Duration.ofMillis(200), 100_000, Duration.ofSeconds(5));
        List<AutoCloseable> open = new ArrayList<>();
        try {
            List<StareGlobalView> views = new ArrayList<>();
            StateSpace first = null;
            for (int i = 0; i < n; i++) {
                StateStore store = variant == 2 ? redis : new MemoryStore();
                if (variant != 2) {
                    open.add(store);
                }
                StateSpace space = StateSpace.over(new StateSettings(nf, Integer.toString(i), variant == 2 ? Mode.SYNC
                        : Mode.ASYNC, Duration.ofMillis(1), 1_000_000, ConfigFactory.empty()), store,
                        System::currentTimeMillis);
                open.add(space);
                CounterMapState<String> matches = space.partition(0).counterMap("matches", TEXT);
                for (int f = 0; f < settings.flows(); f++) {
                    matches.addTo("flow-" + f, 1).toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
                if (first == null) {
                    first = space;
                }
                if (variant == 2) {
                    continue;
                }
                space.share(matches);
                GlobalServer server = GlobalServer.onLoopback(space);
                open.add(server);
                StareGlobalView view = StareGlobalView.start(space,
                        fabric.vnf(hosts.get(i % hosts.size()), nf + "-" + i), global, server.address())
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                open.add(view);
                views.add(view);
            }
            long expected = (long) n * settings.flows();
            Callable<Long> read;
            if (variant == 2) {
                StateSpace reader = first;
                read = () -> reader.counterMap("matches", TEXT, Scope.NF, Merge.sum()).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS).values().stream().mapToLong(Long::longValue).sum();
            } else {
                StareGlobalView zero = views.get(0);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (zero.instances().size() < n) {
                    if (System.nanoTime() > deadline) {
                        return "only " + zero.instances().size() + " found";
                    }
                    Thread.sleep(50);
                }
                GlobalView view = variant == 0 ? zero : new RequestReplyView(first, zero::peerAddresses, global);
                if (variant == 1) {
                    open.add(view);
                }
                read = () -> view.getGlobal("matches", Reduce.sum()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < Math.max(20, settings.reads() / 5); i++) {
                read.call(); // warm-up
            }
            long[] micros = new long[settings.reads()];
            for (int i = 0; i < micros.length; i++) {
                long start = System.nanoTime();
                long total = read.call();
                micros[i] = (System.nanoTime() - start) / 1_000;
                if (total != expected) {
                    return "wrong: " + total + " of " + expected;
                }
            }
            Arrays.sort(micros);
            return String.format(Locale.ROOT, "%d / %d / %d", micros[micros.length / 2],
                    micros[micros.length * 9 / 10], micros[Math.min(micros.length - 1, micros.length * 99 / 100)]);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    // the next cell starts fresh anyway
                }
            }
            if (variant == 2) {
                cleanRedis(redis, nf);
            }
        }
    }

    private static void cleanRedis(StateStore redis, String nf) throws Exception {
        List<io.stare.state.store.Change> deletes = new ArrayList<>();
        redis.keys(nf).toCompletableFuture().get(10, TimeUnit.SECONDS)
                .forEach(k -> deletes.add(new io.stare.state.store.Change.Delete(k)));
        if (!deletes.isEmpty()) {
            redis.apply(deletes).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static Config block(String driver) {
        return ConfigFactory.parseString("driver = " + driver).withFallback(ConfigFactory.load()
                .getConfig("stare.state.store"));
    }
}
