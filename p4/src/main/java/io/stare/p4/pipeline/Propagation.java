package io.stare.p4.pipeline;

import io.stare.protocol.address.MessageKind;

/**
 * The propagation rule of the register pipeline (docs/dataplane.md, "The propagation rule"): a
 * switch tells its tree neighbour on port {@code q} about a state only when its interest in the
 * state <em>excluding {@code q}</em> changes between empty and non-empty. This IGMP-style
 * aggregation keeps every bitmask exact with several subscribers behind one port, with
 * retransmitted SUB messages and with SUB messages crossing on a link.
 *
 * <pre>
 * toggles   = (SUB-register and old has no bit p) or (SUB-remove and old has bit p)
 * rest      = old &amp; ~bit(p)
 * candidate = rest == 0               ? all ports
 *           : rest &amp; (rest - 1) == 0 ? rest        (exactly one other port q0: only q0 cares)
 *           :                           0
 * propagate(old, p) = toggles ? tree_ports &amp; ~bit(p) &amp; candidate : 0
 * </pre>
 *
 * All functions are pure. Publish and SUB-ack never toggle anything, so they propagate nowhere.
 */
public final class Propagation {

    private Propagation() {
    }

    /** Whether the message flips bit {@code ingressPort} of {@code old}. */
    public static boolean toggles(MessageKind kind, long old, int ingressPort) {
        boolean has = (old & PortMask.bit(ingressPort)) != 0;
        return switch (kind) {
            case SUB_REGISTER -> !has;
            case SUB_REMOVE -> has;
            case PUBLISH, SUB_ACK -> false;
        };
    }

    /** The state's mask after the message: bit {@code ingressPort} set (register) or cleared (remove). */
    public static long apply(MessageKind kind, long old, int ingressPort) {
        long bit = PortMask.bit(ingressPort);
        return switch (kind) {
            case SUB_REGISTER -> old | bit;
            case SUB_REMOVE -> old & ~bit;
            case PUBLISH, SUB_ACK -> old;
        };
    }

    /**
     * The tree ports the SUB message is propagated to.
     *
     * @param kind the message kind; only SUB-register and SUB-remove can propagate
     * @param old the state's port mask before the message
     * @param ingressPort the port {@code p} the message came in by
     * @param treePorts the switch's tree-port mask
     * @param allPorts the mask of every front port
     */
    public static long propagate(MessageKind kind, long old, int ingressPort, long treePorts, long allPorts) {
        if (!toggles(kind, old, ingressPort)) {
            return 0;
        }
        long bit = PortMask.bit(ingressPort);
        long rest = old & ~bit;
        long candidate;
        if (rest == 0) {
            candidate = allPorts; // first (or last) interest anywhere: every neighbour's view changes
        } else if ((rest & (rest - 1)) == 0) {
            candidate = rest; // one other port q0: only q0's view "everything but q0" changes
        } else {
            candidate = 0; // two or more others: every neighbour still sees interest
        }
        return treePorts & ~bit & candidate;
    }
}
