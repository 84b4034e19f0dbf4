package io.stare.protocol.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class StareAddressTest {

    @Test
    void goldenValuesFromTheBrief() {
        assertEquals("239.0.48.57", new StareAddress(MessageKind.PUBLISH, 12345).toDottedQuad());
        assertEquals("239.64.48.57", new StareAddress(MessageKind.SUB_ACK, 12345).toDottedQuad());
        assertEquals("239.128.48.57", new StareAddress(MessageKind.SUB_REMOVE, 12345).toDottedQuad());
        assertEquals("239.192.48.57", new StareAddress(MessageKind.SUB_REGISTER, 12345).toDottedQuad());
        assertEquals(4194303, StareAddress.MAX_STATE_ID);
        assertEquals("239.63.255.255", new StareAddress(MessageKind.PUBLISH, 4194303).toDottedQuad());
        assertEquals("239.255.255.255", new StareAddress(MessageKind.SUB_REGISTER, 4194303).toDottedQuad());
    }

    @Test
    void decodesGoldenAddress() {
        StareAddress address = StareAddress.parse("239.192.48.57").orElseThrow();
        assertEquals(MessageKind.SUB_REGISTER, address.kind());
        assertEquals(12345, address.stateId());
    }

    @Test
    void refusesStateIdsOutsideTwentyTwoBits() {
        assertThrows(IllegalArgumentException.class, () -> new StareAddress(MessageKind.PUBLISH, 4194304));
        assertThrows(IllegalArgumentException.class, () -> new StareAddress(MessageKind.PUBLISH, -1));
    }

    @Test
    void nonStareAddressesAreTypedErrors() {
        assertEquals(DecodeError.Kind.NOT_STARE, StareAddress.parse("10.0.0.1").errorOrNull().kind());
        assertEquals(DecodeError.Kind.NOT_STARE, StareAddress.parse("238.255.255.255").errorOrNull().kind());
        assertEquals(DecodeError.Kind.MALFORMED, StareAddress.parse("239.1.2").errorOrNull().kind());
        assertEquals(DecodeError.Kind.MALFORMED, StareAddress.parse("239.1.2.x").errorOrNull().kind());
        assertEquals(DecodeError.Kind.MALFORMED, StareAddress.parse("239.1.2.3.4").errorOrNull().kind());
        assertEquals(DecodeError.Kind.MALFORMED, StareAddress.parse("239.1..3").errorOrNull().kind());
        assertEquals(DecodeError.Kind.OUT_OF_RANGE, StareAddress.parse("239.1.2.256").errorOrNull().kind());
    }

    @Test
    void parsesKindNames() {
        assertEquals(MessageKind.SUB_REGISTER, MessageKind.parse("sub-register").orElseThrow());
        assertEquals(MessageKind.SUB_ACK, MessageKind.parse("SUB_ACK").orElseThrow());
        assertFalse(MessageKind.parse("subscribe").isOk());
    }

    @Property
    void roundTripsThroughIntAndText(@ForAll("kinds") MessageKind kind,
                                     @ForAll @IntRange(min = 0, max = StareAddress.MAX_STATE_ID) int stateId) {
        StareAddress address = new StareAddress(kind, stateId);
        assertEquals(address, StareAddress.fromInt(address.toInt()).orElseThrow());
        assertEquals(address, StareAddress.parse(address.toDottedQuad()).orElseThrow());
    }

    @Property
    void everyIntDecodesToAResultNeverAnException(@ForAll int anyAddress) {
        DecodeResult<StareAddress> result = StareAddress.fromInt(anyAddress);
        assertEquals(StareAddress.isStare(anyAddress), result.isOk());
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<MessageKind> kinds() {
        return net.jqwik.api.Arbitraries.of(MessageKind.class);
    }
}
