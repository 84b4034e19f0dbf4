package io.stare.deploy.vnf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.middleware.gateway.VnfTokens;
import io.stare.deploy.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {

    @Test
    void printsEachNamesTokenUnderTheKey(@TempDir Path dir) throws Exception {
        Path key = Files.write(dir.resolve("gateway.key"), "0123456789abcdef0123456789abcdef".getBytes());
        VnfTokens tokens = VnfTokens.fromFile(key);

        Cli one = Cli.run("token", "--key-file", key.toString(), "--name", "firewall-1");
        assertEquals(0, one.exitCode(), one.err());
        assertEquals(tokens.tokenOf("firewall-1") + "\n", one.out());

        Cli two = Cli.run("token", "--key-file", key.toString(), "--name", "a,b");
        assertEquals("a " + tokens.tokenOf("a") + "\nb " + tokens.tokenOf("b") + "\n", two.out());

        Path shortKey = Files.write(dir.resolve("short.key"), new byte[4]);
        Cli refused = Cli.run("token", "--key-file", shortKey.toString(), "--name", "a");
        assertEquals(1, refused.exitCode());
        assertTrue(refused.err().contains("at least 16 bytes"), refused.err());
        Cli missing = Cli.run("token", "--key-file", dir.resolve("none").toString(), "--name", "a");
        assertTrue(missing.err().contains("cannot read the key file"), missing.err());
    }
}
