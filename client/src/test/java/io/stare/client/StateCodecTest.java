package io.stare.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateCodecTest {

    record Sighting(String mac, long at, int rssi) {
    }

    @Test
    void jsonRoundTripsARecord() {
        StateCodec<Sighting> codec = StateCodec.json(Sighting.class);
        Sighting sighting = new Sighting("3f:a2", 1_700_000_000_000L, -61);
        byte[] bytes = codec.encode(sighting);
        assertEquals("{\"mac\":\"3f:a2\",\"at\":1700000000000,\"rssi\":-61}", new String(bytes, StandardCharsets.UTF_8));
        assertEquals(sighting, codec.decode(bytes));
    }

    @Test
    void malformedBytesAreRefusedWithATypedError() {
        StateCodec.UndecodableException json = assertThrows(StateCodec.UndecodableException.class,
                () -> StateCodec.json(Sighting.class).decode("{\"mac\":".getBytes(StandardCharsets.UTF_8)));
        assertTrue(json.getMessage().startsWith("not a JSON Sighting"), json.getMessage());
        assertThrows(StateCodec.UndecodableException.class,
                () -> StateCodec.utf8().decode(new byte[] {(byte) 0xc3, (byte) 0x28}));
    }

    @Test
    void utf8AndBytesRoundTripWithoutSharingArrays() {
        assertEquals("zürich → ☃", StateCodec.utf8().decode(StateCodec.utf8().encode("zürich → ☃")));
        byte[] original = {1, 2, 3};
        byte[] encoded = StateCodec.bytes().encode(original);
        original[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, StateCodec.bytes().decode(encoded));
    }

    @Test
    void aValueListenerGetsDecodedValuesAndTheUndecodableApart() {
        List<String> values = new ArrayList<>();
        List<Long> undecodable = new ArrayList<>();
        StateListener listener = new ValueListener<String>() {
            @Override
            public void onValue(int stateId, long update, String value) {
                values.add(stateId + "/" + update + "=" + value);
            }

            @Override
            public void onUndecodable(Delivery.Update update, StateCodec.UndecodableException error) {
                undecodable.add(update.update());
            }
        }.decodingWith(StateCodec.utf8());
        listener.onDelivery(new Delivery.Update(7, 1, 0, "a".getBytes(StandardCharsets.UTF_8)));
        listener.onDelivery(new Delivery.Update(7, 1, 1, new byte[] {(byte) 0xff}));
        listener.onDelivery(new Delivery.Update(7, 1, 2, "c".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("7/0=a", "7/2=c"), values);
        assertEquals(List.of(1L), undecodable);
    }
}
