package io.stare.protocol;

/**
 * Marker for every message that crosses the cluster (between middleware, switch agents and the
 * replica controller's nodes).
 *
 * <p>{@code reference.conf} of this module binds this one interface to Pekko's {@code jackson-cbor}
 * serializer, so implementing it is all a message type needs to be sent to a remote actor: Pekko
 * picks the serializer by the most specific binding it finds among a class's supertypes. Keep it the
 * only such marker so there is exactly one place that decides how cluster messages are encoded.
 *
 * <p>Implementations should be immutable records whose components Jackson can read and write:
 * concrete (non-polymorphic) field types, no {@code get*}/{@code is*} helper methods that would turn
 * into extra properties, and validation in the canonical constructor (Jackson calls it on
 * deserialization, so a malformed message from the wire is refused the same way as a local one).
 *
 * <p>This module has no Pekko dependency; the marker and the binding are plain Java and plain config.
 */
public interface CborSerializable {
}
