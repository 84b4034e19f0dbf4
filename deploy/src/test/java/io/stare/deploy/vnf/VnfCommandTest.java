package io.stare.deploy.vnf;

import io.stare.deploy.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code stare vnf}'s errors that need no middleware, and how payloads are shown. */
class VnfCommandTest {


    @Test
    @Timeout(20)
    void noMiddlewareListeningIsAOneLineError() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Cli refused = Cli.run("vnf", "--gateway", "127.0.0.1:" + port, "--name", "a", "publish", "--state", "s");
        assertEquals(1, refused.exitCode(), refused.out() + refused.err());
        assertEquals("stare: cannot connect to the middleware's gateway at 127.0.0.1:" + port + ": connection refused "
                + "(is `stare middleware` running with --gateway 127.0.0.1:" + port + "?)\n", refused.err());
    }

    @Test
    void badFlags() {
        Cli noAction = Cli.run("vnf", "--name", "a");
        assertEquals(2, noAction.exitCode());
        assertTrue(noAction.err().startsWith("stare: say what to do: publish or subscribe"), noAction.err());
        Cli noName = Cli.run("vnf", "publish", "--state", "s");
        assertEquals(2, noName.exitCode());
        assertTrue(noName.err().contains("--name"), noName.err());
        Cli both = Cli.run("vnf", "--name", "a", "publish", "--state", "s", "--value", "x", "--stdin");
        assertEquals("stare: --value and --stdin exclude each other\n", both.err());
        Cli badGateway = Cli.run("vnf", "--gateway", "localhost", "--name", "a", "subscribe", "--state", "s");
        assertEquals("stare: --gateway 'localhost' is not HOST:PORT\n", badGateway.err());
        Cli badEvery = Cli.run("vnf", "--name", "a", "publish", "--state", "s", "--every", "soon");
        assertEquals("stare: --every 'soon' is not a duration like 500ms, 30s, 5m or 1h\n", badEvery.err());
    }

    @Test
    void payloadsShowAsTextOrHex() {
        assertEquals("hello world", VnfCommand.show("hello world".getBytes(StandardCharsets.UTF_8)));
        assertEquals("(empty)", VnfCommand.show(new byte[0]));
        assertEquals("0x00ff10", VnfCommand.show(new byte[] {0, (byte) 0xff, 0x10}));
        assertEquals("0x610a", VnfCommand.show("a\n".getBytes(StandardCharsets.UTF_8)));
    }
}
