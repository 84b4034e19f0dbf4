package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Collections;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 8: the h2-file store's server (H2's AUTO_SERVER, through which the controller
 * nodes of one machine share the file) listened on every interface. It now binds loopback. The
 * store is opened in a JVM of its own, as {@code stare controller} opens it: H2 reads its bind
 * address once per JVM, and the test JVM has used H2 before.
 */
class H2FileServerTest {

    @Test
    void theSharedFilesServerListensOnLoopbackOnly(@TempDir Path directory) throws Exception {
        Optional<InetAddress> external = externalAddress();
        Assumptions.assumeTrue(external.isPresent(), "this machine has a non-loopback IPv4 address to try");
        Path file = directory.resolve("controller");
        Process store = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Store.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader said = new BufferedReader(new InputStreamReader(store.getInputStream(),
                StandardCharsets.UTF_8))) {
            String server = said.readLine(); // host:port, once the store is open
            assertTrue(server != null && server.contains(":"), "the store's process said " + server);
            int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
            assertTrue(InetAddress.getByName(server.substring(0, server.lastIndexOf(':'))).isLoopbackAddress(),
                    "other processes are told a loopback address: " + server);
            try (Socket local = new Socket()) {
                local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            }
            assertThrows(IOException.class, () -> {
                try (Socket outside = new Socket()) {
                    outside.connect(new InetSocketAddress(external.get(), port), 5_000);
                }
            }, "the server must not answer on " + external.get());
        } finally {
            store.getOutputStream().close(); // its cue to close the store
            if (!store.waitFor(30, TimeUnit.SECONDS)) {
                store.destroyForcibly();
            }
        }
    }

    private static Optional<InetAddress> externalAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Opens the h2-file store at args[0] as the controller configures it, prints its server, waits for stdin to close. */
    static final class Store {
        public static void main(String[] args) throws Exception {
            Config configured = ControllerStore.configure(ConfigFactory.parseString(
                    "stare.persistence.store = h2-file\nstare.persistence.h2-file.path = \"" + args[0] + "\"")
                    .withFallback(ConfigFactory.load()));
            String url = configured.getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
            try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
                Properties lock = new Properties();
                try (Reader in = Files.newBufferedReader(Path.of(args[0] + ".lock.db"))) {
                    lock.load(in);
                }
                System.out.println(lock.getProperty("server"));
                System.out.flush();
                System.in.readAllBytes();
            }
        }
    }
}
