package io.stare.actors.middleware.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The gateway's VNF tokens: a VNF proves it may register under a name with that name's token,
 * HMAC-SHA256 of the name under the operator's key, base64url without padding (43 characters). The
 * key never leaves the operator and the middlewares; each VNF gets only its own name's token
 * ({@code stare token --key-file KEY --name NAME}), so a VNF cannot take another's name, and no list
 * of tokens has to be kept in step: a new VNF needs no change on the middlewares.
 */
public final class VnfTokens {

    /** The shortest key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 16;

    private final SecretKeySpec key;

    private VnfTokens(byte[] key) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a token key needs at least " + MIN_KEY_BYTES + " bytes, this one has "
                    + key.length + " (e.g. head -c 32 /dev/urandom > gateway.key)");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** Tokens under {@code key}. */
    public static VnfTokens of(byte[] key) {
        return new VnfTokens(key);
    }

    /** Tokens under the key in {@code file} (its bytes as they are). */
    public static VnfTokens fromFile(Path file) {
        try {
            return new VnfTokens(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token key file " + file, e);
        }
    }

    /** The token of {@code vnfName}. */
    public String tokenOf(String vnfName) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(vnfName.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Whether {@code token} is {@code vnfName}'s, compared in constant time. */
    public boolean admits(String vnfName, String token) {
        return MessageDigest.isEqual(tokenOf(vnfName).getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.UTF_8));
    }
}
