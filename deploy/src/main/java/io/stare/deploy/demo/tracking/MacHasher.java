package io.stare.deploy.demo.tracking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Anonymises MAC addresses before they leave the scanner: the hash is SHA-256 over a deployment
 * salt followed by the address's six bytes, truncated to {@link #hexDigits()} hexadecimal digits
 * (12 by default, as many bits as a MAC). The same address and salt always give the same hash, so
 * VNFs sharing the salt can follow a device across areas; without the salt the hash cannot be
 * reversed by enumerating the 2^48 addresses. The address is parsed first, so {@code AA:BB:..},
 * {@code aa-bb-..}, {@code aabb.ccdd.eeff} and {@code aabbccddeeff} hash alike.
 *
 * <p>Immutable and thread-safe.
 */
public final class MacHasher {

    /** The default length of a hash: 12 hex digits, 48 bits. */
    public static final int DEFAULT_HEX_DIGITS = 12;

    private final byte[] salt;
    private final int hexDigits;

    private MacHasher(byte[] salt, int hexDigits) {
        this.salt = salt;
        this.hexDigits = hexDigits;
    }

    /** A hasher with the given deployment salt (UTF-8) and 12-digit hashes. */
    public static MacHasher withSalt(String salt) {
        return withSalt(Objects.requireNonNull(salt, "salt").getBytes(StandardCharsets.UTF_8), DEFAULT_HEX_DIGITS);
    }

    /** A hasher with the given salt and hash length, 8 to 64 hex digits. */
    public static MacHasher withSalt(byte[] salt, int hexDigits) {
        Objects.requireNonNull(salt, "salt");
        if (hexDigits < 8 || hexDigits > 64) {
            throw new IllegalArgumentException("hexDigits must be in [8, 64], got " + hexDigits);
        }
        return new MacHasher(salt.clone(), hexDigits);
    }

    /** The number of hex digits of every hash. */
    public int hexDigits() {
        return hexDigits;
    }

    /** The hash of a textual MAC address; throws {@link IllegalArgumentException} if it is not one. */
    public String hash(String mac) {
        return hash(parseMac(mac));
    }

    /** The hash of a MAC address given as its six bytes. */
    public String hash(byte[] mac) {
        if (Objects.requireNonNull(mac, "mac").length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + mac.length);
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        sha.update(salt);
        sha.update(mac);
        return HexFormat.of().formatHex(sha.digest()).substring(0, hexDigits);
    }

    /**
     * The six bytes of a MAC address written as 12 hex digits, optionally grouped in pairs by
     * {@code :} or {@code -} or in quads by {@code .}.
     */
    public static byte[] parseMac(String mac) {
        Objects.requireNonNull(mac, "mac");
        String t = mac.strip();
        String digits;
        if (t.matches("\\p{XDigit}{2}([:-]\\p{XDigit}{2}){5}")) {
            if (t.indexOf(':') >= 0 && t.indexOf('-') >= 0) {
                throw new IllegalArgumentException("not a MAC address: '" + mac + "'");
            }
            digits = t.replaceAll("[:-]", "");
        } else if (t.matches("\\p{XDigit}{4}(\\.\\p{XDigit}{4}){2}")) {
            digits = t.replace(".", "");
        } else if (t.matches("\\p{XDigit}{12}")) {
            digits = t;
        } else {
            throw new IllegalArgumentException("not a MAC address: '" + mac + "'");
        }
        return HexFormat.of().parseHex(digits);
    }
}
