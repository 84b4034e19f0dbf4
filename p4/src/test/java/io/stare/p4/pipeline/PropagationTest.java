package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.MessageKind;
import org.junit.jupiter.api.Test;

class PropagationTest {

    private static final int P = 8;
    private static final long ALL = PortMask.all(P);
    private static final long TREE = 0b0000_0110; // ports 1 and 2 are tree ports, port 5 a host

    @Test
    void workedExampleOfTheDocs() {
        // host on 5 registers: first interest anywhere, both neighbours hear of it
        assertEquals(0b0010_0000, Propagation.apply(MessageKind.SUB_REGISTER, 0, 5));
        assertEquals(0b0000_0110, Propagation.propagate(MessageKind.SUB_REGISTER, 0, 5, TREE, ALL));
        // neighbour on 1 registers: nobody's view changes
        assertEquals(0b0010_0010, Propagation.apply(MessageKind.SUB_REGISTER, 0b0010_0000, 1));
        assertEquals(0, Propagation.propagate(MessageKind.SUB_REGISTER, 0b0010_0000, 1, TREE, ALL));
        // host on 5 removes: only neighbour 1 loses the interest of "everything but 1"
        assertEquals(0b0000_0010, Propagation.apply(MessageKind.SUB_REMOVE, 0b0010_0010, 5));
        assertEquals(0b0000_0010, Propagation.propagate(MessageKind.SUB_REMOVE, 0b0010_0010, 5, TREE, ALL));
        // retransmission of the remove: no change, nothing propagated
        assertFalse(Propagation.toggles(MessageKind.SUB_REMOVE, 0b0000_0010, 5));
        assertEquals(0b0000_0010, Propagation.apply(MessageKind.SUB_REMOVE, 0b0000_0010, 5));
        assertEquals(0, Propagation.propagate(MessageKind.SUB_REMOVE, 0b0000_0010, 5, TREE, ALL));
    }

    @Test
    void publishAndAckNeverToggleOrPropagate() {
        for (MessageKind kind : new MessageKind[] {MessageKind.PUBLISH, MessageKind.SUB_ACK}) {
            assertFalse(Propagation.toggles(kind, 0, 3));
            assertEquals(0b1010, Propagation.apply(kind, 0b1010, 3));
            assertEquals(0, Propagation.propagate(kind, 0, 3, TREE, ALL));
        }
        assertTrue(Propagation.toggles(MessageKind.SUB_REGISTER, 0, 31));
        assertThrows(IllegalArgumentException.class, () -> Propagation.toggles(MessageKind.SUB_REGISTER, 0, 32));
    }

    /**
     * For P = 4, every old mask, ingress port, tree mask and kind: the rule sends to exactly the
     * tree ports q != p whose "interest excluding q" changes between empty and non-empty.
     */
    @Test
    void matchesTheDefinitionExhaustivelyForFourPorts() {
        int ports = 4;
        long all = PortMask.all(ports);
        int checked = 0;
        for (MessageKind kind : new MessageKind[] {MessageKind.SUB_REGISTER, MessageKind.SUB_REMOVE}) {
            for (long old = 0; old <= all; old++) {
                for (int p = 0; p < ports; p++) {
                    for (long tree = 0; tree <= all; tree++) {
                        long updated = kind == MessageKind.SUB_REGISTER ? old | 1L << p : old & ~(1L << p);
                        long expected = 0;
                        for (int q = 0; q < ports; q++) {
                            boolean before = (old & ~(1L << q)) != 0;
                            boolean after = (updated & ~(1L << q)) != 0;
                            if (q != p && (tree >> q & 1) == 1 && before != after) {
                                expected |= 1L << q;
                            }
                        }
                        assertEquals(expected, Propagation.propagate(kind, old, p, tree, all),
                                kind + " old=" + PortMask.format(old, ports) + " p=" + p + " tree="
                                        + PortMask.format(tree, ports));
                        assertEquals(updated, Propagation.apply(kind, old, p));
                        assertEquals(updated != old, Propagation.toggles(kind, old, p));
                        checked++;
                    }
                }
            }
        }
        assertEquals(2 * 16 * 4 * 16, checked);
    }
}
