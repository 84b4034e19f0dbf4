package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.Reader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Collections;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 8: the h2-file store's server (H2's AUTO_SERVER, through which the controller
 * nodes of one machine share the file) listened on every interface. It now binds loopback.
 */
class H2FileServerTest {

    @Test
    void theSharedFilesServerListensOnLoopbackOnly(@TempDir Path directory) throws Exception {
        Optional<InetAddress> external = externalAddress();
        Assumptions.assumeTrue(external.isPresent(), "this machine has a non-loopback IPv4 address to try");
        Path file = directory.resolve("controller");
        Config configured = ControllerStore.configure(ConfigFactory.parseString(
                "stare.persistence.store = h2-file\nstare.persistence.h2-file.path = \"" + file + "\"")
                .withFallback(ConfigFactory.load()));
        String url = configured.getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
        try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
            Properties lock = new Properties();
            try (Reader in = Files.newBufferedReader(Path.of(file + ".lock.db"))) {
                lock.load(in);
            }
            String server = lock.getProperty("server");
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
            assertTrue(connection.isValid(5));
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
}
