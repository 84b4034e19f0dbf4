package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.stare.actors.middleware.MiddlewareSettings.MulticastSettings;
import io.stare.actors.middleware.MiddlewareSettings.TransportSettings;
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
        assertEquals(TransportSettings.TUNNEL, settings.transport());
        assertEquals(new MulticastSettings("lo", "0.0.0.0", 65432, 0, 64, 0), settings.transport().multicast());
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
        // A tunnel frame at MTU 65500 (65514 bytes with Ethernet) would never fit a datagram; refused
        // here rather than stalling the publish log at the first full-size segment.
        String roomy = "stare.middleware.reassembly { max-bytes-per-stream = 16MiB, max-bytes-per-peer = 64MiB }\n";
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class, () -> MiddlewareSettings
                .fromConfig(ConfigFactory.parseString(roomy + "stare.middleware.mtu = 65500")
                        .withFallback(ConfigFactory.load())));
        assertTrue(tooLarge.getMessage().contains("at most " + TunnelTransport.MAX_MTU), tooLarge.getMessage());
        assertEquals(TunnelTransport.MAX_MTU, MiddlewareSettings.fromConfig(ConfigFactory.parseString(roomy
                + "stare.middleware.mtu = " + TunnelTransport.MAX_MTU).withFallback(ConfigFactory.load())).mtu());
    }

    @Test
    void theMulticastTransportIsChosenAndConfigured() {
        MiddlewareSettings settings = MiddlewareSettings.fromConfig(ConfigFactory.parseString("""
                stare.middleware { transport = multicast,
                  multicast { interface = "127.0.0.1", ttl = 3, max-memberships-per-socket = 6, port = 40000,
                    send-port = 40001 } }
                """).withFallback(ConfigFactory.load()));
        assertEquals(TransportSettings.Kind.MULTICAST, settings.transport().kind());
        MulticastSettings multicast = settings.transport().multicast();
        assertEquals(new MulticastSettings("127.0.0.1", "0.0.0.0", 40000, 40001, 3, 6), multicast);
        assertEquals(6, multicast.effectiveMaxMemberships());
        assertEquals("lo", multicast.resolveInterface().getName(), "an interface may be named by its address");
        assertEquals(MembershipMaker.osLimit(), multicast.withMaxMembershipsPerSocket(0).effectiveMaxMemberships());
        // The other settings' copies keep the transport.
        assertSame(settings.transport(), settings.forServer("h9", 9, new InetSocketAddress("127.0.0.1", 1)).transport());
        assertSame(settings.transport(), settings.withArq(Duration.ofMillis(10), Duration.ofMillis(20), 1).transport());
        assertSame(settings.transport(), settings.withIntQueues(2, 2).transport());
        assertSame(settings.transport(), settings.withLatestPoll(Duration.ZERO).transport());
        assertEquals(TransportSettings.TUNNEL, settings.withTransport(TransportSettings.TUNNEL).transport());
    }

    @Test
    void theOldConstructorMeansTheTunnel() {
        MiddlewareSettings d = MiddlewareSettings.fromConfig(ConfigFactory.load());
        MiddlewareSettings old = new MiddlewareSettings(d.serverId(), d.senderId(), d.switchPort(), d.mtu(),
                d.arqTimeout(), d.arqMaxTimeout(), d.arqLimit(), d.controlTimeout(), d.sendQueue(), d.controlQueue(),
                d.inboundQueue(), d.outboundQueue(), d.unconfirmedAppends(), d.tick(), d.latestPoll(), d.reassembly());
        assertEquals(d, old);
    }

    @Test
    void badTransportSettingsAreRefusedClearly() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> MiddlewareSettings
                .fromConfig(ConfigFactory.parseString("stare.middleware.transport = carrier-pigeon")
                        .withFallback(ConfigFactory.load())));
        assertTrue(unknown.getMessage().contains("carrier-pigeon") && unknown.getMessage().contains("multicast"),
                unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MiddlewareSettings.fromConfig(ConfigFactory
                .parseString("stare.middleware.multicast.ttl = 256").withFallback(ConfigFactory.load())));
        assertThrows(IllegalArgumentException.class, () -> MiddlewareSettings.fromConfig(ConfigFactory
                .parseString("stare.middleware.multicast.max-memberships-per-socket = 1").withFallback(ConfigFactory.load())));
        assertThrows(IllegalArgumentException.class, () -> MiddlewareSettings.fromConfig(ConfigFactory
                .parseString("stare.middleware.multicast.port = 0").withFallback(ConfigFactory.load())));
        IllegalArgumentException noSuch = assertThrows(IllegalArgumentException.class,
                () -> MulticastSettings.DEFAULT.withInterface("nosuchif0").resolveInterface());
        assertTrue(noSuch.getMessage().contains("'nosuchif0'"), noSuch.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MulticastSettings.DEFAULT.withInterface("192.0.2.254").resolveInterface(),
                "an address no interface of this host has");
    }
}
