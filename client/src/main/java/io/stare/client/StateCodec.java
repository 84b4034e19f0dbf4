package io.stare.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * How a state's values become the bytes STARE carries, and back. STARE itself only moves bytes;
 * a codec lets a VNF publish and receive its own types ({@link StareClient#publish(String, Object,
 * StateCodec)}, {@link StareClient#subscribe(String, StateCodec, ValueListener)}).
 *
 * @param <T> the value type
 */
public interface StateCodec<T> {

    /** The bytes of {@code value}. */
    byte[] encode(T value);

    /** The value of {@code bytes}; throws {@link UndecodableException} when they are not one. */
    T decode(byte[] bytes);

    /** Bytes that a codec cannot turn into a value. */
    final class UndecodableException extends RuntimeException {
        public UndecodableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The bytes as they are (copied both ways, so neither side shares an array). */
    static StateCodec<byte[]> bytes() {
        return new StateCodec<>() {
            @Override
            public byte[] encode(byte[] value) {
                return value.clone();
            }

            @Override
            public byte[] decode(byte[] bytes) {
                return bytes.clone();
            }
        };
    }

    /** UTF-8 text; malformed UTF-8 is refused, not replaced. */
    static StateCodec<String> utf8() {
        return new StateCodec<>() {
            @Override
            public byte[] encode(String value) {
                return value.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] bytes) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes)).toString();
                } catch (CharacterCodingException e) {
                    throw new UndecodableException("not UTF-8 (" + bytes.length + " bytes)", e);
                }
            }
        };
    }

    /** JSON through Jackson, for records and plain Java objects of {@code type}. */
    static <T> StateCodec<T> json(Class<T> type) {
        return json(type, new ObjectMapper().findAndRegisterModules());
    }

    /** JSON through the given Jackson mapper (for custom modules or settings). */
    static <T> StateCodec<T> json(Class<T> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mapper, "mapper");
        return new StateCodec<>() {
            @Override
            public byte[] encode(T value) {
                try {
                    return mapper.writeValueAsBytes(value);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException("cannot write " + type.getSimpleName() + " as JSON", e);
                }
            }

            @Override
            public T decode(byte[] bytes) {
                try {
                    return mapper.readValue(bytes, type);
                } catch (IOException e) {
                    String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                    throw new UndecodableException("not a JSON " + type.getSimpleName() + ": " + why, e);
                }
            }
        };
    }
}
