package io.stare.actors.agent;

import io.stare.actors.arq.SubRetransmissions;
import io.stare.p4.pipeline.EmbeddedController;
import io.stare.protocol.header.StareHeader;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import p4.v1.Update;

/**
 * Embedded mode: the order in which the {@link EmbeddedController}'s decisions reach the switch
 * (plain class, no I/O; the {@link StreamSession} writes and sends). One SUB_PUNT's table and group
 * writes are issued at a time, in arrival order (make before break), and only once they are all
 * acknowledged are its packet-outs released: a subscriber is never acked before its rule exists.
 */
final class InstallQueue {

    /** One SUB_PUNT's decisions, waiting for or under installation, and when they came. */
    record Install(EmbeddedController.Act act, long receivedNanos) {
    }

    /**
     * An installation acknowledged: what to send now, in order; the propagated copies among them
     * (for the ARQ); and the time from packet-in to the last acknowledgement.
     */
    record Completion(List<EmbeddedController.Transmit> packetOuts, List<SubRetransmissions.Copy> propagated,
                      Duration took) {
        Completion {
            packetOuts = List.copyOf(packetOuts);
            propagated = List.copyOf(propagated);
        }
    }

    private final LongSupplier nanos;
    private final Deque<Install> queued = new ArrayDeque<>();
    private boolean installing;

    /** @param nanos the clock installation times are measured with */
    InstallQueue(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /**
     * The Writes that carry out {@code act}'s table and group decisions, in its order (one Write
     * each); its Transmits are not among them: they are sent once the Writes are acknowledged.
     */
    static List<Update> writes(P4Entities entities, EmbeddedController.Act act) {
        List<Update> writes = new ArrayList<>();
        for (EmbeddedController.Decision decision : act.decisions()) {
            if (decision instanceof EmbeddedController.InsertGroup g) {
                writes.add(SwitchRpc.update(Update.Type.INSERT, P4Entities.multicastGroup(g.groupId(), g.groupId())));
            } else if (decision instanceof EmbeddedController.DeleteGroup g) {
                writes.add(SwitchRpc.update(Update.Type.DELETE, P4Entities.multicastGroup(g.groupId(), 0)));
            } else if (decision instanceof EmbeddedController.InsertEntry e) {
                writes.add(SwitchRpc.update(Update.Type.INSERT, entities.stateForwarding(e.stateId(), e.groupId())));
            } else if (decision instanceof EmbeddedController.ModifyEntry e) {
                writes.add(SwitchRpc.update(Update.Type.MODIFY, entities.stateForwarding(e.stateId(), e.groupId())));
            } else if (decision instanceof EmbeddedController.DeleteEntry e) {
                writes.add(SwitchRpc.update(Update.Type.DELETE, entities.stateForwardingDelete(e.stateId())));
            }
        }
        return writes;
    }

    /**
     * Queues {@code act}, decided on a packet-in received at {@code receivedNanos}; the
     * installation to start now, if none was under way.
     */
    Optional<Install> add(EmbeddedController.Act act, long receivedNanos) {
        queued.add(new Install(act, receivedNanos));
        return next();
    }

    /**
     * The installation under way was acknowledged: its packet-outs. Start {@link #next()} after
     * sending them.
     */
    Completion completed() {
        Install done = finish();
        EmbeddedController.Act act = done.act();
        List<EmbeddedController.Transmit> packetOuts = new ArrayList<>();
        List<SubRetransmissions.Copy> propagated = new ArrayList<>();
        Optional<StareHeader> stare = Optional.empty();
        for (EmbeddedController.Decision decision : act.decisions()) {
            if (decision instanceof EmbeddedController.Transmit t) {
                packetOuts.add(t);
                if (t.port() != act.ingressPort()) { // not the SUB-ack: a copy to a tree neighbour
                    if (stare.isEmpty()) {
                        stare = SubFrames.header(t.frame());
                    }
                    stare.ifPresent(h -> propagated.add(new SubRetransmissions.Copy(t.port(), act.stateId(),
                            h.updateNo(), h.vnfId(), t.frame())));
                }
            }
        }
        return new Completion(packetOuts, propagated, Duration.ofNanos(nanos.getAsLong() - done.receivedNanos()));
    }

    /** The installation to start now, if none is under way and one is queued. */
    Optional<Install> next() {
        if (installing || queued.isEmpty()) {
            return Optional.empty();
        }
        installing = true;
        return Optional.of(queued.peek());
    }

    /**
     * Not serving any more, or an installation failed (the controller is then ahead of the switch,
     * which is set up again): drops what is queued; its senders got no SUB-ack and retry.
     */
    void clear() {
        queued.clear();
        installing = false;
    }

    /** Whether {@code install} is the one under way (not dropped since it started). */
    boolean isUnderWay(Install install) {
        return installing && queued.peek() == install;
    }

    /** Installations queued, the one under way included. */
    int size() {
        return queued.size();
    }

    private Install finish() {
        if (!installing) {
            throw new IllegalStateException("no installation under way");
        }
        installing = false;
        return queued.poll();
    }
}
