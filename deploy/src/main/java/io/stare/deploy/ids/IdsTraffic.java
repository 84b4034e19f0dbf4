package io.stare.deploy.ids;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The IDS demo's traffic: packets of a fixed set of flows, some carrying an attack signature, and
 * the ground truth of how many did. Random letters and digits never spell a signature (each has a
 * character they lack), so every match is one the generator put in. Deterministic by seed.
 */
final class IdsTraffic {

    /** What the IDS looks for in payloads. */
    static final List<String> SIGNATURES = List.of("/etc/passwd", "cmd.exe", "SELECT * FROM", "<script>");

    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789";

    /** One packet. */
    record Packet(String flow, byte[] payload) {
    }

    private final SplittableRandom random;
    private final int flows;
    private final double attackShare;
    private long signaturesSent;

    IdsTraffic(long seed, int flows, double attackShare) {
        this.random = new SplittableRandom(seed);
        this.flows = flows;
        this.attackShare = attackShare;
    }

    /** The flows' names: flow-0 ... */
    static String flow(int index) {
        return "flow-" + index;
    }

    int flows() {
        return flows;
    }

    /** The next packet, of a flow chosen at random. */
    Packet next() {
        char[] payload = new char[96];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = LETTERS.charAt(random.nextInt(LETTERS.length()));
        }
        String text = new String(payload);
        if (random.nextDouble() < attackShare) {
            String signature = SIGNATURES.get(random.nextInt(SIGNATURES.size()));
            int at = random.nextInt(payload.length - signature.length());
            text = text.substring(0, at) + signature + text.substring(at + signature.length());
            signaturesSent++;
        }
        return new Packet(flow(random.nextInt(flows)), text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Signatures sent so far: the ground truth of the match count. */
    long signaturesSent() {
        return signaturesSent;
    }

    /** The signatures in {@code payload} (what one IDS instance's pattern matching finds). */
    static int matches(byte[] payload) {
        String text = new String(payload, StandardCharsets.US_ASCII);
        int found = 0;
        for (String signature : SIGNATURES) {
            if (text.contains(signature)) {
                found++;
            }
        }
        return found;
    }
}
