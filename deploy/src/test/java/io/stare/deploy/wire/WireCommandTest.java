package io.stare.deploy.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.deploy.StareCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The {@code stare wire} commands as an operator types them, through the real entry point. */
class WireCommandTest {

    private record Run(int exitCode, String out, String err) {
    }

    private static Run stare(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StareCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void encodesTheGoldenSubRegisterAddress() {
        Run run = stare("wire", "encode", "--kind", "sub-register", "--state", "12345");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("239.192.48.57", run.out().strip());
    }

    @Test
    void decodesAnAddressIntoKindAndState() {
        Run run = stare("wire", "decode", "239.192.48.57");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("kind     sub-register (M_K 11)"), run.out());
        assertTrue(run.out().contains("state    12345"), run.out());
    }

    @Test
    void decodesAWholePacketFromHex() {
        Run encoded = stare("wire", "encode-packet", "--kind", "publish", "--state", "12345", "--vnf", "5",
                "--update", "7", "--payload", "hello");
        assertEquals(0, encoded.exitCode(), encoded.err());
        String hex = encoded.out().strip();
        assertEquals(2 * (36 + 5), hex.length());

        // Spaced, colon-separated and 0x-prefixed dumps all decode.
        String spaced = "0x" + hex.replaceAll("(..)", "$1:");
        Run run = stare("wire", "decode-packet", spaced);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("ipv4     127.0.0.1 -> 239.0.48.57  ttl 64  length 41"), run.out());
        assertTrue(run.out().contains("vnf      5"), run.out());
        assertTrue(run.out().contains("update   7"), run.out());
        assertTrue(run.out().contains("payload  5 bytes: 68656c6c6f"), run.out());
    }

    @Test
    void badInputGivesOneLineAndNoStackTrace() {
        assertOneLineError(stare("wire", "decode", "10.1.2.3"), 1, "NOT_STARE");
        assertOneLineError(stare("wire", "decode", "239.1.2"), 1, "MALFORMED");
        assertOneLineError(stare("wire", "encode", "--kind", "subscribe", "--state", "1"), 2, "unknown message kind");
        assertOneLineError(stare("wire", "encode", "--kind", "publish", "--state", "4194304"), 1, "out of range");
        assertOneLineError(stare("wire", "encode", "--kind", "publish"), 2, "--state");
        assertOneLineError(stare("wire", "decode-packet", "45000029"), 1, "TRUNCATED");
        assertOneLineError(stare("wire", "decode-packet", "abc"), 1, "odd number");
        assertOneLineError(stare("wire", "decode-packet", "zz"), 1, "not hex");
    }

    @Test
    void corruptedPacketIsRefusedUnlessChecksumsAreIgnored() {
        String hex = stare("wire", "encode-packet", "--kind", "sub-ack", "--state", "9").out().strip();
        String corrupted = hex.substring(0, 16) + "3f" + hex.substring(18); // TTL 64 -> 63
        assertOneLineError(stare("wire", "decode-packet", corrupted), 1, "BAD_CHECKSUM");
        Run lenient = stare("wire", "decode-packet", "--ignore-checksums", corrupted);
        assertEquals(0, lenient.exitCode(), lenient.err());
        assertTrue(lenient.out().contains("ttl 63"), lenient.out());
    }

    private static void assertOneLineError(Run run, int exitCode, String mention) {
        assertEquals(exitCode, run.exitCode(), run.out() + run.err());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), "expected one line, got: " + err);
        assertTrue(err.startsWith("stare: "), err);
        assertTrue(err.contains(mention), err);
        assertFalse(err.contains("Exception"), err);
    }
}
