package io.stare.deploy.demo.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.StateCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScanReportCodecTest {

    private static final StateCodec<ScanReport> CODEC = ScanReport.CODEC;

    private static ScanReport sample() {
        return new ScanReport("area-2", "scanner-a", 1_700_000_020_000L, List.of(
                new Sighting("a1b2c3d4e5f6", 1_700_000_001_000L, -67),
                new Sighting("0011223344aa", 1_700_000_019_500L, -120),
                new Sighting("ffffffffffff", 1_700_000_020_000L, 0)));
    }

    @Test
    void roundTrip() {
        ScanReport r = sample();
        assertEquals(r, CODEC.decode(CODEC.encode(r)));
    }

    @Test
    void roundTripOfAnEmptyReport() {
        ScanReport r = new ScanReport("area-1", "s", 0, List.of());
        assertEquals(r, CODEC.decode(CODEC.encode(r)));
    }

    @Test
    void roundTripOfTheFixturesReports() {
        for (ScanReport r : MobilityFixture.generate(MobilityFixture.Config.defaults(3)
                .withDurationMillis(60_000)).reports()) {
            assertEquals(r, CODEC.decode(CODEC.encode(r)));
        }
    }

    @Test
    void theJsonIsTheRecordsFields() {
        String json = new String(CODEC.encode(new ScanReport("area-1", "s1", 20,
                List.of(new Sighting("a1b2c3d4e5f6", 10, -70)))), StandardCharsets.UTF_8);
        assertEquals("{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,"
                + "\"sightings\":[{\"device\":\"a1b2c3d4e5f6\",\"timestamp\":10,\"rssi\":-70}]}", json);
    }

    @Test
    void unknownFieldsAreIgnoredAndHashesLowerCased() {
        ScanReport r = decode("{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,\"firmware\":\"2.1\","
                + "\"sightings\":[{\"device\":\"A1B2C3D4E5F6\",\"timestamp\":10,\"rssi\":-70,\"channel\":6}]}");
        assertEquals("a1b2c3d4e5f6", r.sightings().get(0).device());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "not json",
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":[",         // truncated
        "[]",                                                                             // wrong shape
        "{\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":[]}",                        // no area
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"sightings\":[]}",                      // no time
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20}",                     // no sightings
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":null,\"sightings\":[]}",  // null time
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":null}",  // null list
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":[null]}",
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":\"soon\",\"sightings\":[]}",
        "{\"area\":\"area 1\",\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":[]}",    // bad name
        "{\"area\":\"area-1\",\"scanner\":\" \",\"reportTime\":20,\"sightings\":[]}",     // blank scanner
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":-1,\"sightings\":[]}",
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":"
            + "[{\"device\":\"a1b2c3d4e5f6\",\"timestamp\":10,\"rssi\":-121}]}",          // too weak
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":"
            + "[{\"device\":\"a1b2c3d4e5f6\",\"timestamp\":10,\"rssi\":3}]}",             // too strong
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":"
            + "[{\"device\":\"aa:bb:cc:dd:ee:ff\",\"timestamp\":10,\"rssi\":-50}]}",      // raw MAC
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":"
            + "[{\"device\":\"a1b2c3d4e5f6\",\"timestamp\":21,\"rssi\":-50}]}",           // after report
        "{\"area\":\"area-1\",\"scanner\":\"s1\",\"reportTime\":20,\"sightings\":"
            + "[{\"device\":\"a1b2c3d4e5f6\",\"rssi\":-50}]}",                            // no timestamp
    })
    void malformedInputIsUndecodable(String json) {
        StateCodec.UndecodableException e =
                assertThrows(StateCodec.UndecodableException.class, () -> decode(json));
        assertTrue(e.getMessage().startsWith("not a JSON ScanReport"), e.getMessage());
    }

    @Test
    void bytesThatAreNotTextAreUndecodable() {
        assertThrows(StateCodec.UndecodableException.class,
                () -> CODEC.decode(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2}));
    }

    @Test
    void tooManySightingsAreRefused() {
        List<Sighting> many = new ArrayList<>();
        for (int i = 0; i <= ScanReport.MAX_SIGHTINGS; i++) {
            many.add(new Sighting(String.format("%012x", i), 1, -50));
        }
        assertThrows(IllegalArgumentException.class, () -> new ScanReport("a", "s", 1, many));
        ScanReport max = new ScanReport("a", "s", 1, many.subList(0, ScanReport.MAX_SIGHTINGS));
        assertEquals(ScanReport.MAX_SIGHTINGS, max.sightings().size());
    }

    @Test
    void constructorsValidate() {
        assertThrows(NullPointerException.class, () -> new Sighting(null, 1, -50));
        assertThrows(IllegalArgumentException.class, () -> new Sighting("abc", 1, -50));
        assertThrows(IllegalArgumentException.class, () -> new Sighting("a1b2c3d4e5f6", -1, -50));
        assertThrows(IllegalArgumentException.class, () -> new Sighting("a1b2c3d4e5f6", 1, Sighting.MIN_RSSI - 1));
        assertThrows(IllegalArgumentException.class, () -> new Sighting("a1b2c3d4e5f6", 1, Sighting.MAX_RSSI + 1));
        assertThrows(NullPointerException.class, () -> new ScanReport(null, "s", 1, List.of()));
        assertThrows(NullPointerException.class, () -> new ScanReport("a", null, 1, List.of()));
        assertThrows(NullPointerException.class, () -> new ScanReport("a", "s", 1, null));
        List<Sighting> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> new ScanReport("a", "s", 1, withNull));
    }

    @Test
    void theSightingsListIsACopy() {
        List<Sighting> list = new ArrayList<>(List.of(new Sighting("a1b2c3d4e5f6", 1, -50)));
        ScanReport r = new ScanReport("a", "s", 1, list);
        list.clear();
        assertEquals(1, r.sightings().size());
        assertThrows(UnsupportedOperationException.class, () -> r.sightings().clear());
    }

    @Test
    void encodingIsStable() {
        assertArrayEquals(CODEC.encode(sample()), CODEC.encode(CODEC.decode(CODEC.encode(sample()))));
    }

    private static ScanReport decode(String json) {
        return CODEC.decode(json.getBytes(StandardCharsets.UTF_8));
    }
}
