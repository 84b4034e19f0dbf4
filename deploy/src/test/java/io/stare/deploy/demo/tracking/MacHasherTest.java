package io.stare.deploy.demo.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacHasherTest {

    @Test
    void sameMacAndSaltGiveTheSameHash() {
        assertEquals(MacHasher.withSalt("turin").hash("3c:22:fb:12:34:56"),
                MacHasher.withSalt("turin").hash("3c:22:fb:12:34:56"));
    }

    @Test
    void theHashIsTwelveLowerCaseHexDigitsOfSaltedSha256() throws Exception {
        String h = MacHasher.withSalt("turin").hash("3c:22:fb:12:34:56");
        assertTrue(h.matches("[0-9a-f]{12}"), h);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("turin".getBytes(StandardCharsets.UTF_8));
        sha.update(HexFormat.of().parseHex("3c22fb123456"));
        assertEquals(HexFormat.of().formatHex(sha.digest()).substring(0, 12), h);
        new Sighting(h, 0, -50); // a valid sighting device
    }

    @Test
    void theSaltChangesTheHash() {
        assertNotEquals(MacHasher.withSalt("turin").hash("3c:22:fb:12:34:56"),
                MacHasher.withSalt("milan").hash("3c:22:fb:12:34:56"));
    }

    @Test
    void differentMacsGiveDifferentHashes() {
        MacHasher h = MacHasher.withSalt("s");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(seen.add(h.hash(new byte[] {2, 0, 0, 0, (byte) (i >> 8), (byte) i})));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"3c:22:fb:12:34:56", "3C:22:FB:12:34:56", "3c-22-fb-12-34-56", "3c22.fb12.3456",
        "3c22fb123456", "  3c:22:fb:12:34:56 "})
    void everyNotationOfOneMacHashesAlike(String mac) {
        assertEquals(MacHasher.withSalt("s").hash("3c:22:fb:12:34:56"), MacHasher.withSalt("s").hash(mac));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "3c:22:fb:12:34", "3c:22:fb:12:34:56:78", "3c:22-fb:12:34:56", "3g:22:fb:12:34:56",
        "3c22fb12345", "3c:22:fb:12:34:5"})
    void notAMac(String mac) {
        assertThrows(IllegalArgumentException.class, () -> MacHasher.withSalt("s").hash(mac));
    }

    @Test
    void lengthIsConfigurable() {
        assertEquals(32, MacHasher.withSalt("s".getBytes(StandardCharsets.UTF_8), 32).hash("3c22fb123456").length());
        assertThrows(IllegalArgumentException.class, () -> MacHasher.withSalt(new byte[0], 7));
        assertThrows(IllegalArgumentException.class, () -> MacHasher.withSalt(new byte[0], 65));
        assertThrows(IllegalArgumentException.class, () -> MacHasher.withSalt("s").hash(new byte[5]));
    }

    @Test
    void theSaltArrayIsCopied() {
        byte[] salt = "turin".getBytes(StandardCharsets.UTF_8);
        MacHasher h = MacHasher.withSalt(salt, 12);
        String before = h.hash("3c22fb123456");
        salt[0] = 'x';
        assertEquals(before, h.hash("3c22fb123456"));
    }
}
