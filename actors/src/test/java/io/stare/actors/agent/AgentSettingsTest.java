package io.stare.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.stare.p4.program.StareProgram;
import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {

    private final AgentSettings defaults = AgentSettings.fromConfig(ConfigFactory.load(), "127.0.0.1", 9559, 1,
            BigInteger.TEN, StareProgram.Mode.REGISTER, 0b110);

    @Test
    void referenceConfHoldsTheDefaults() {
        assertEquals("", defaults.role());
        assertEquals(Duration.ofMillis(200), defaults.reconnectMin());
        assertEquals(Duration.ofSeconds(10), defaults.reconnectMax());
        assertEquals(Duration.ofMillis(200), defaults.arqTimeout());
        assertEquals(8, defaults.arqLimit());
    }

    @Test
    void reconnectBackoffDoublesAndIsBounded() {
        assertEquals(Duration.ofMillis(200), defaults.reconnectDelay(0));
        assertEquals(Duration.ofMillis(800), defaults.reconnectDelay(2));
        assertEquals(Duration.ofSeconds(10), defaults.reconnectDelay(6));
        assertEquals(Duration.ofSeconds(10), defaults.reconnectDelay(1_000));
    }

    @Test
    void refusesElectionIdsThatDoNotFit128Bits() {
        assertThrows(IllegalArgumentException.class, () -> defaults.withElectionId(BigInteger.ONE.shiftLeft(128)));
        assertThrows(IllegalArgumentException.class, () -> defaults.withElectionId(BigInteger.valueOf(-1)));
    }
}
