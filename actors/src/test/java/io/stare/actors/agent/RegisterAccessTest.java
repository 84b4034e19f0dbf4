package io.stare.actors.agent;

import static io.stare.actors.agent.AgentTestSupport.WAIT;
import static io.stare.actors.agent.AgentTestSupport.awaitReady;
import static io.stare.actors.agent.AgentTestSupport.awaitView;
import static io.stare.actors.agent.AgentTestSupport.read;
import static io.stare.actors.agent.AgentTestSupport.settings;
import static io.stare.actors.agent.AgentTestSupport.useRegisters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.agent.AgentTestSupport.Host;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.p4.program.StareProgram;
import io.stare.protocol.address.MessageKind;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both register accesses against one software switch (which serves both): what one writes the
 * other reads, and clone_flag set through either makes the switch report non-propagating changes.
 */
class RegisterAccessTest {

    private static final int CAPACITY = 2048;

    private ActorTestKit kit;
    private SoftSwitchNode node;
    private ActorRef<SwitchAgent.Command> agent;
    private final P4Entities register = P4Entities.of(StareProgram.Mode.REGISTER);

    @BeforeEach
    void start() throws Exception {
        kit = ActorTestKit.create("registers");
        node = AgentTestSupport.startSwitch(kit, 1, 3);
        // No tree ports: SUB messages never propagate, so the agent hears of them only by cloning.
        agent = kit.spawn(SwitchAgent.create(settings(node.grpcAddress(), 1, 1, StareProgram.Mode.REGISTER, 0)));
        awaitReady(kit, agent);
    }

    @AfterEach
    void stop() throws Exception {
        kit.stop(agent);
        node.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
        kit.shutdownTestKit();
    }

    @Test
    void bothAccessesReadAndWriteTheSameCells() {
        SortedMap<Integer, Long> viaP4Runtime = new TreeMap<>();
        viaP4Runtime.put(0, 0b1L);
        viaP4Runtime.put(7, 0b1010L);
        viaP4Runtime.put(8, 0b11L);
        viaP4Runtime.put(1000, 0xffL);
        viaP4Runtime.put(CAPACITY - 1, 0b1000_0000L);
        assertEquals(5, (int) useRegisters(kit, agent, RegisterAccess.Kind.P4RUNTIME, a -> a.write(viaP4Runtime)));

        long started = System.nanoTime();
        long[] inBand = useRegisters(kit, agent, RegisterAccess.Kind.IN_BAND, a -> a.read(0, CAPACITY));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertArrayEquals(cells(viaP4Runtime), inBand);
        // 256 READs, pipelined: well under the time 256 sequential round trips would take.
        assertTrue(tookMillis < 3_000, "in-band read of 2048 cells took " + tookMillis + " ms");

        SortedMap<Integer, Long> viaInBand = new TreeMap<>();
        viaInBand.put(5, 0b0110L);
        viaInBand.put(6, 0b1L);
        viaInBand.put(1000, 0L);
        viaInBand.put(CAPACITY - 2, 0b1L);
        assertEquals(4, (int) useRegisters(kit, agent, RegisterAccess.Kind.IN_BAND, a -> a.write(viaInBand)));
        SortedMap<Integer, Long> expected = new TreeMap<>(viaP4Runtime);
        expected.putAll(viaInBand);
        assertArrayEquals(cells(expected), useRegisters(kit, agent, RegisterAccess.Kind.P4RUNTIME,
                a -> a.read(0, CAPACITY)));
        // Partial reads agree too.
        long[] p4Runtime = useRegisters(kit, agent, RegisterAccess.Kind.P4RUNTIME, a -> a.read(4, 11));
        assertArrayEquals(p4Runtime, useRegisters(kit, agent, RegisterAccess.Kind.IN_BAND, a -> a.read(4, 11)));
        assertEquals(0b0110L, p4Runtime[1]);
    }

    @Test
    void cloneFlagIsSetAndClearedThroughBoth() throws Exception {
        int state = 100;
        try (Host host = new Host(node.portAddresses().get(1), 1)) {
            for (RegisterAccess.Kind kind : RegisterAccess.Kind.values()) {
                useRegisters(kit, agent, kind, a -> a.setCloneFlag(true));
                assertTrue(register.cloneFlagSet(read(kit.system(), node.grpcAddress(), 1, register.cloneFlagFilter())),
                        kind + " did not set the flag");
                int cloned = state++;
                host.send(MessageKind.SUB_REGISTER, cloned, 1, new byte[0]);
                assertNotNull(host.receive(MessageKind.SUB_ACK, 5_000));
                // A change that does not propagate reaches the agent only as STATE_CHANGED.
                awaitView(kit, agent, v -> v.subscriptions().getOrDefault(cloned, 0L) == 0b10L, WAIT);

                useRegisters(kit, agent, kind, a -> a.setCloneFlag(false));
                assertFalse(register.cloneFlagSet(read(kit.system(), node.grpcAddress(), 1, register.cloneFlagFilter())),
                        kind + " did not clear the flag");
                int silent = state++;
                host.send(MessageKind.SUB_REGISTER, silent, 1, new byte[0]);
                assertNotNull(host.receive(MessageKind.SUB_ACK, 5_000));
                // The in-band read comes after the SUB in the switch; its answer after any packet-in.
                useRegisters(kit, agent, RegisterAccess.Kind.IN_BAND, a -> a.read(silent, 1));
                assertFalse(awaitView(kit, agent, v -> true, WAIT).subscriptions().containsKey(silent));
            }
        }
    }

    private static long[] cells(SortedMap<Integer, Long> values) {
        long[] cells = new long[CAPACITY];
        values.forEach((index, mask) -> cells[index] = mask);
        return cells;
    }
}
