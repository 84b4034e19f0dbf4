package io.stare.bench.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import io.stare.p4.topology.Topology;
import io.stare.testing.TestTime;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** STARE under the harness: the topology it picks, and every subscriber receiving every update intact. */
@Timeout(120)
class StareSystemTest {

    @Test
    void upToEightHostsShareOneSwitch() {
        Topology topology = StareSystem.topology(hosts(7));
        assertEquals(1, topology.switches().size());
        assertEquals(8, topology.hosts().size());
    }

    @Test
    void sixteenSubscribersSitOnLeafSwitchesBelowThePublisher() {
        Topology topology = StareSystem.topology(hosts(16));
        assertEquals(4, topology.switches().size(), topology.toString());
        assertEquals(3, topology.links().size(), topology.toString());
        assertEquals("s0", topology.hostNamed("pub").attachment().switchName());
        assertEquals(List.of(7, 7, 2), List.of(topology.hostsOf("s1").size(), topology.hostsOf("s2").size(),
                topology.hostsOf("s3").size()));
        assertTrue(topology.switches().stream().allMatch(sw -> sw.ports() <= StarePrograms.FRONT_PORTS));
    }

    @ParameterizedTest
    @EnumSource(StareProgram.Mode.class)
    void everySubscriberOfATwoLevelTreeGetsEveryUpdate(StareProgram.Mode mode) throws Exception {
        int subscribers = 16;
        int updates = 50;
        AtomicIntegerArray received = new AtomicIntegerArray(subscribers);
        ConcurrentMap<Long, byte[]> sentBySequence = new ConcurrentHashMap<>();
        ConcurrentMap<String, Boolean> corrupt = new ConcurrentHashMap<>();
        try (PubSubSystem.Session session = new StareSystem(mode).start(subscribers, 1024,
                (subscriber, buffer, offset, length, nanos) -> {
                    byte[] expected = sentBySequence.get(Payloads.sequence(buffer, offset));
                    byte[] got = java.util.Arrays.copyOfRange(buffer, offset, offset + length);
                    if (expected == null || !java.util.Arrays.equals(expected, got)) {
                        corrupt.put(subscriber + "/" + Payloads.sequence(buffer, offset), true);
                    }
                    received.incrementAndGet(subscriber);
                })) {
            for (int i = 0; i < updates; i++) {
                byte[] payload = Payloads.allocate(1024);
                payload[1023] = (byte) i;
                Payloads.stamp(payload, System.nanoTime(), i);
                sentBySequence.put((long) i, payload);
                assertTrue(session.publish(payload));
            }
            TestTime.eventually(java.time.Duration.ofSeconds(20), () -> assertTrue(
                    IntStream.range(0, subscribers).allMatch(s -> received.get(s) >= updates), "every update heard"));
            assertEquals(0, session.refusedLater(), session.firstRefusal());
        }
        for (int s = 0; s < subscribers; s++) {
            assertEquals(updates, received.get(s), "subscriber " + s);
        }
        assertTrue(corrupt.isEmpty(), "payloads that did not match what was sent: " + corrupt.keySet());
    }

    private static String[] hosts(int subscribers) {
        String[] hosts = new String[subscribers + 1];
        hosts[0] = "pub";
        for (int i = 0; i < subscribers; i++) {
            hosts[i + 1] = "sub" + i;
        }
        return hosts;
    }
}
