package io.stare.state.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.state.store.StateKey;
import io.stare.state.store.StructureType;
import io.stare.state.store.Change;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreException;
import io.stare.state.store.StateStoreException.Kind;
import io.stare.testing.TestTime;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver's settings and its failures at opening and after, against loopback servers of the
 * test's own: no Redis needed.
 */
@Timeout(30)
class RedisStoreDriverTest {

    static Config settings(String uri, String password, String timeout) {
        return ConfigFactory.parseMap(Map.of("uri", uri, "password", password, "timeout", timeout));
    }

    private static StateStoreException openFails(Config settings) {
        return assertThrows(StateStoreException.class, () -> new RedisStoreDriver().open(settings).close());
    }

    private static StateStoreException fails(CompletionStage<?> stage) {
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
        return assertInstanceOf(StateStoreException.class, failed.getCause());
    }

    @Test
    void itsLabelIsRedis() {
        assertEquals("redis", new RedisStoreDriver().label());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not a uri", "redis://127.0.0.1:notaport", "http://127.0.0.1:6379", "redis://",
        "redis://127.0.0.1:99999", "redis://127.0.0.1:6379/notadatabase"})
    void aMalformedUriIsAConfigurationError(String uri) {
        assertEquals(Kind.CONFIGURATION, openFails(settings(uri, "", "2s")).kind());
    }

    @Test
    void aMalformedUriDoesNotShowItsPassword() {
        StateStoreException failure = openFails(settings("redis://:s3cret@127.0.0.1:notaport", "", "2s"));
        assertEquals(Kind.CONFIGURATION, failure.kind());
        assertFalse(failure.getMessage().contains("s3cret"), failure.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "-1s", "soon"})
    void aTimeoutThatIsNotAPositiveDurationIsAConfigurationError(String timeout) {
        assertEquals(Kind.CONFIGURATION, openFails(settings("redis://127.0.0.1:6379", "", timeout)).kind());
    }

    @Test
    void aMissingUriIsAConfigurationError() {
        StateStoreException failure = openFails(ConfigFactory.parseMap(Map.of("timeout", "2s")));
        assertEquals(Kind.CONFIGURATION, failure.kind());
        assertTrue(failure.getMessage().contains("stare.state.store.redis.uri"), failure.getMessage());
    }

    @Test
    void nothingListeningIsUnavailableAtOnce() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        long start = System.nanoTime();
        StateStoreException failure = openFails(settings("redis://127.0.0.1:" + port, "", "2s"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(Kind.UNAVAILABLE, failure.kind(), failure.getMessage());
        assertTrue(took.compareTo(TestTime.dilated(Duration.ofSeconds(5))) < 0, "took " + took);
    }

    @Test
    void aServerThatNeverAnswersIsUnavailableWithinTheTimeout() throws Exception {
        try (StallingRedis silent = new StallingRedis()) {
            silent.stall();
            long start = System.nanoTime();
            StateStoreException failure = openFails(settings("redis://127.0.0.1:" + silent.port(), "", "300ms"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(Kind.UNAVAILABLE, failure.kind(), failure.getMessage());
            assertTrue(took.compareTo(TestTime.dilated(Duration.ofSeconds(5))) < 0, "took " + took);
        }
    }

    @Test
    void callsToARedisThatStopsAnsweringFailAsUnavailableWithinTheTimeout() throws Exception {
        try (StallingRedis redis = new StallingRedis();
                StateStore store = new RedisStoreDriver().open(settings("redis://127.0.0.1:" + redis.port(), "",
                        "300ms"))) {
            StateKey counter = new StateKey("nf", "i1", 0, StructureType.COUNTER, "c");
            redis.stall();
            long start = System.nanoTime();
            assertEquals(Kind.UNAVAILABLE, fails(store.counter(counter)).kind());
            assertEquals(Kind.UNAVAILABLE, fails(store.apply(List.of(new Change.AddToCounter(counter, 1)))).kind());
            assertEquals(Kind.UNAVAILABLE, fails(store.keys("nf")).kind());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(TestTime.dilated(Duration.ofSeconds(5))) < 0, "took " + took);
        }
    }

    @Test
    void callsAfterCloseFailAsClosed() throws Exception {
        try (StallingRedis redis = new StallingRedis()) {
            StateStore store = new RedisStoreDriver().open(settings("redis://127.0.0.1:" + redis.port(), "", "2s"));
            store.close();
            store.close();
            StateKey counter = new StateKey("nf", "i1", 0, StructureType.COUNTER, "c");
            assertEquals(Kind.CLOSED, fails(store.apply(List.of(new Change.AddToCounter(counter, 1)))).kind());
            assertEquals(Kind.CLOSED, fails(store.keys("nf")).kind());
            assertEquals(Kind.CLOSED, fails(store.value(new StateKey("nf", "i1", 0, StructureType.VALUE, "v")))
                    .kind());
        }
    }

    @Test
    void globCharactersAreEscaped() {
        assertEquals("a\\*b\\?c\\[d\\]e\\\\f", RedisStore.glob("a*b?c[d]e\\f"));
        assertEquals("plain-nf_1", RedisStore.glob("plain-nf_1"));
    }
}
