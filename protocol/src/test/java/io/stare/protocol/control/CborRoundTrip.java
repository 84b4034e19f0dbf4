package io.stare.protocol.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * A real Pekko actor system, configured only by the classpath's reference.conf files, used to send
 * messages through the serializer Pekko itself picks for them. One per test class: startup costs.
 */
final class CborRoundTrip {

    /** Pekko's identifier of {@code jackson-cbor} (see pekko-serialization-jackson's reference.conf). */
    static final int JACKSON_CBOR_ID = 33;

    private final ActorSystem<Void> system;
    private final Serialization serialization;

    CborRoundTrip(String name) {
        // serialize-messages = on: Pekko also serializes every local message, as a cluster would.
        system = ActorSystem.create(Behaviors.empty(), name,
                ConfigFactory.parseString("pekko.actor.serialize-messages = on\npekko.loglevel = WARNING")
                        .withFallback(ConfigFactory.load()));
        serialization = SerializationExtension.get(Adapter.toClassic(system));
    }

    /**
     * Serializes {@code message} with the serializer Pekko binds to it, checks that this is Jackson
     * CBOR, and returns what deserializing the bytes with the manifest gives.
     */
    Object roundTrip(Object message) {
        return deserialize(serialize(message), manifest(message));
    }

    /** The bytes Pekko's serializer for {@code message} produces, after checking it is Jackson CBOR. */
    byte[] serialize(Object message) {
        Serializer serializer = serialization.findSerializerFor(message);
        assertEquals(JACKSON_CBOR_ID, serializer.identifier(),
                () -> message.getClass().getName() + " is bound to " + serializer.getClass().getName());
        assertTrue(serializer.getClass().getName().contains("JacksonCborSerializer"),
                serializer.getClass().getName());
        return serialization.serialize(message).get();
    }

    /** The manifest the receiving side needs to deserialize {@code message}. */
    String manifest(Object message) {
        return Serializers.manifestFor(serialization.findSerializerFor(message), message);
    }

    /** Deserializes CBOR bytes with Pekko's Jackson CBOR serializer; throws what it fails with. */
    Object deserialize(byte[] bytes, String manifest) {
        return serialization.deserialize(bytes, JACKSON_CBOR_ID, manifest).get();
    }

    /** Round-trips {@code message} and asserts the result equals it. */
    void assertRoundTrips(Object message) {
        Object back = roundTrip(message);
        assertEquals(message, back);
        assertEquals(message.getClass(), back.getClass());
    }

    /** Terminates the actor system and waits for it to stop. */
    void shutdown() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
