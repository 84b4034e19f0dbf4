package io.stare.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.StateCodec;
import io.stare.state.flush.StateReads;
import io.stare.state.store.StateStore;
import io.stare.testing.TestTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every structure in every call form against every driver: what the writing instance reads, and
 * what the store holds once written (for async: once flushed), read by another instance.
 */
@Timeout(120)
class StateApiTest {

    private static final StateCodec<String> TEXT = StateCodec.utf8();

    static Stream<Arguments> driversAndModes() {
        return Stores.DRIVERS.stream().flatMap(d -> Stream.of(Mode.values()).map(m -> Arguments.of(d, m)));
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Sync writes are awaited; no-wait and async ones return at once, and are not awaited. */
    private static void w(CompletionStage<Void> write) throws Exception {
        await(write);
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("driversAndModes")
    void everyStructureInEveryCallForm(String driver, Mode mode) throws Exception {
        try (StateStore store = Stores.open(driver)) {
            StateSettings settings = StateSettings.fromConfig(com.typesafe.config.ConfigFactory.load())
                    .withMode(mode);
            String nf = "api" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            settings = new StateSettings(nf, "i1", mode, settings.flushPeriod(), settings.buffer(), settings.store());
            try (StateSpace space = StateSpace.over(settings, store, System::currentTimeMillis)) {
                Partition p = space.partition(0);
                CounterState counter = p.counter("packets");
                ValueState<String> value = p.value("leader", TEXT);
                ListState<String> list = p.list("log", TEXT);
                SetState<String> set = p.set("blocked", TEXT);
                MapState<String, String> map = p.map("routes", TEXT, TEXT);
                CounterMapState<String> flows = p.counterMap("flows", TEXT);

                w(counter.add(5));
                w(counter.add(-2));
                w(value.set("a"));
                w(value.set("b"));
                w(list.append("x", "y"));
                w(list.append("z"));
                w(set.add("10.0.0.1"));
                w(set.add("10.0.0.2"));
                w(set.add("10.0.0.1"));
                w(set.remove("10.0.0.2"));
                w(map.put("k1", "v1"));
                w(map.put("k2", "v2"));
                w(map.put("k1", "v1'"));
                w(map.remove("k2"));
                w(flows.addTo("f1", 3));
                w(flows.addTo("f1", 4));
                w(flows.set("f2", 10));
                w(flows.remove("f2"));
                w(flows.addTo("f3", -1));

                // What the writer reads: at once for sync and async, eventually for no-wait.
                TestTime.eventually(Duration.ofSeconds(10), () -> {
                    assertEquals(3L, await(counter.get()));
                    assertEquals(Optional.of("b"), await(value.get()));
                    assertEquals(List.of("x", "y", "z"), await(list.get()));
                    assertEquals(Set.of("10.0.0.1"), await(set.get()));
                    assertTrue(await(set.contains("10.0.0.1")));
                    assertEquals(Map.of("k1", "v1'"), await(map.get()));
                    assertEquals(Optional.of("v1'"), await(map.get("k1")));
                    assertEquals(Map.of("f1", 7L, "f3", -1L), await(flows.get()));
                    assertEquals(7L, await(flows.get("f1")));
                    assertEquals(0L, await(flows.get("f9")));
                });

                w(counter.set(10));
                w(counter.add(1));
                w(value.delete());
                w(list.delete());
                assertTrue(space.flush(Duration.ofSeconds(10)), "flushed");
                TestTime.eventually(Duration.ofSeconds(10), () -> {
                    assertEquals(11L, await(counter.get()));
                    assertEquals(Optional.empty(), await(value.get()));
                    assertEquals(List.of(), await(list.get()));
                    // What the store holds: read by the store itself, as another instance would.
                    assertEquals(11L, await(StateReads.read(store, counter.key())));
                    assertEquals(Optional.empty(), await(StateReads.read(store, value.key())));
                    assertEquals(7L, await(store.counterMap(flows.key()))
                            .get(io.stare.state.store.Bytes.of(TEXT.encode("f1"))));
                });
                assertEquals(0, space.counters().failedNoWait(), space.counters().toString());
                assertEquals(0, space.counters().refused(), space.counters().toString());
                for (Structure s : List.of(counter, value, list, set, map, flows)) {
                    w(s.delete());
                }
                assertTrue(space.flush(Duration.ofSeconds(10)));
                TestTime.eventually(Duration.ofSeconds(10),
                        () -> assertFalse(await(store.keys(nf)).stream().anyMatch(k -> true), "all deleted"));
            }
        }
    }
}
