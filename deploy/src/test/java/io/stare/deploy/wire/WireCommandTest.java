package io.stare.deploy.wire;

import io.stare.deploy.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The {@code stare wire} commands as an operator types them, through the real entry point. */
class WireCommandTest {


    @Test
    void encodesTheGoldenSubRegisterAddress() {
        Cli run = Cli.run("wire", "encode", "--kind", "sub-register", "--state", "12345");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("239.192.48.57", run.out().strip());
    }

    @Test
    void decodesAnAddressIntoKindAndState() {
        Cli run = Cli.run("wire", "decode", "239.192.48.57");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("kind     sub-register (M_K 11)"), run.out());
        assertTrue(run.out().contains("state    12345"), run.out());
    }

    @Test
    void decodesAWholePacketFromHex() {
        Cli encoded = Cli.run("wire", "encode-packet", "--kind", "publish", "--state", "12345", "--vnf", "5",
                "--update", "7", "--payload", "hello");
        assertEquals(0, encoded.exitCode(), encoded.err());
        String hex = encoded.out().strip();
        assertEquals(2 * (36 + 5), hex.length());

        // Spaced, colon-separated and 0x-prefixed dumps all decode.
        String spaced = "0x" + hex.replaceAll("(..)", "$1:");
        Cli run = Cli.run("wire", "decode-packet", spaced);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("ipv4     127.0.0.1 -> 239.0.48.57  ttl 64  length 41"), run.out());
        assertTrue(run.out().contains("vnf      5"), run.out());
        assertTrue(run.out().contains("update   7"), run.out());
        assertTrue(run.out().contains("payload  5 bytes: 68656c6c6f"), run.out());
    }

    @Test
    void badInputGivesOneLineAndNoStackTrace() {
        assertOneLineError(Cli.run("wire", "decode", "10.1.2.3"), 1, "NOT_STARE");
        assertOneLineError(Cli.run("wire", "decode", "239.1.2"), 1, "MALFORMED");
        assertOneLineError(Cli.run("wire", "encode", "--kind", "subscribe", "--state", "1"), 2, "unknown message kind");
        assertOneLineError(Cli.run("wire", "encode", "--kind", "publish", "--state", "4194304"), 1, "out of range");
        assertOneLineError(Cli.run("wire", "encode", "--kind", "publish"), 2, "--state");
        assertOneLineError(Cli.run("wire", "decode-packet", "45000029"), 1, "TRUNCATED");
        assertOneLineError(Cli.run("wire", "decode-packet", "abc"), 1, "odd number");
        assertOneLineError(Cli.run("wire", "decode-packet", "zz"), 1, "not hex");
    }

    @Test
    void corruptedPacketIsRefusedUnlessChecksumsAreIgnored() {
        String hex = Cli.run("wire", "encode-packet", "--kind", "sub-ack", "--state", "9").out().strip();
        String corrupted = hex.substring(0, 16) + "3f" + hex.substring(18); // TTL 64 -> 63
        assertOneLineError(Cli.run("wire", "decode-packet", corrupted), 1, "BAD_CHECKSUM");
        Cli lenient = Cli.run("wire", "decode-packet", "--ignore-checksums", corrupted);
        assertEquals(0, lenient.exitCode(), lenient.err());
        assertTrue(lenient.out().contains("ttl 63"), lenient.out());
    }

    private static void assertOneLineError(Cli run, int exitCode, String mention) {
        assertEquals(exitCode, run.exitCode(), run.out() + run.err());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), "expected one line, got: " + err);
        assertTrue(err.startsWith("stare: "), err);
        assertTrue(err.contains(mention), err);
        assertFalse(err.contains("Exception"), err);
    }
}
