package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MiddlewareSettingsTest {

    @Test
    void defaultsComeFromReferenceConf() {
        MiddlewareSettings settings = MiddlewareSettings.fromConfig(ConfigFactory.load());
        assertEquals(1500, settings.mtu());
        assertEquals(Duration.ofMillis(200), settings.arqTimeout());
        assertEquals(8, settings.arqLimit());
        assertEquals(1 << 20, settings.reassembly().maxBytesPerStream());
        assertEquals(50, settings.reassembly().reorderGraceMillis());
    }

    @Test
    void overridesAreRead() {
        MiddlewareSettings settings = MiddlewareSettings.fromConfig(ConfigFactory.parseString("""
                stare.middleware { server-id = "h2", sender-id = 2, switch-port = "127.0.0.1:40001", mtu = 8000,
                  arq { timeout = 50ms, limit = 3 } }
                """).withFallback(ConfigFactory.load()));
        assertEquals("h2", settings.serverId());
        assertEquals(2, settings.senderId());
        assertEquals(new InetSocketAddress("127.0.0.1", 40001), settings.switchPort());
        assertEquals(8000, settings.mtu());
        assertEquals(3, settings.arqLimit());
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> MiddlewareSettings.fromConfig(ConfigFactory
                .parseString("stare.middleware.mtu = 36").withFallback(ConfigFactory.load())));
        assertThrows(IllegalArgumentException.class, () -> MiddlewareSettings.fromConfig(ConfigFactory
                .parseString("stare.middleware.switch-port = nowhere").withFallback(ConfigFactory.load())));
        assertThrows(IllegalArgumentException.class, () -> MiddlewareSettings.fromConfig(ConfigFactory
                .parseString("stare.middleware.sender-id = 1024").withFallback(ConfigFactory.load())));
        // 128 segments at MTU 65535 need 8 MB per stream, more than the 1 MiB default.
        assertThrows(IllegalArgumentException.class, () -> MiddlewareSettings.fromConfig(ConfigFactory
                .parseString("stare.middleware.mtu = 65535").withFallback(ConfigFactory.load())));
    }
}
