package io.stare.actors.arq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The switch-to-switch ARQ as pure logic: which propagated SUB messages still wait for their
 * neighbour's SUB-ack, and which are due for another copy. Time is a caller-supplied nanosecond
 * clock, so tests drive it by hand; the switch agent keeps one timer at {@link #nextDeadline()}.
 *
 * <p>One message is outstanding per (tree port, state): a newer propagation for the same state on
 * the same port supersedes the older one (repeating a SUB-register after the SUB-remove that
 * followed it would undo the remove). A SUB-ack matches when it comes in by that port and echoes
 * the message's STATE_ID, UPDATE_NO (the sender's sequence number) and VNF_ID; a SUB-ack carries
 * M_K = 01, so the kind cannot be compared. The wait before retransmission {@code n} (from 0) is
 * {@code timeout * 2^n}, at most {@code maxTimeout}; after {@code limit} retransmissions the
 * message is abandoned.
 *
 * <p>Not thread-safe: the agent drives it.
 */
public final class SubRetransmissions {

    /** Where a propagated message went, and for which state. */
    public record Key(int port, int stateId) {
    }

    /** A frame to send again on a tree port. */
    public record Resend(int port, byte[] frame) {
        public Resend {
            frame = frame.clone();
        }

        @Override
        public byte[] frame() {
            return frame.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Resend r && port == r.port && Arrays.equals(frame, r.frame);
        }

        @Override
        public int hashCode() {
            return 31 * port + Arrays.hashCode(frame);
        }

        @Override
        public String toString() {
            return "Resend[port=" + port + ", " + frame.length + " bytes]";
        }
    }

    /**
     * A SUB message as it left for tree port {@code port}: what {@link #sent(Copy, long)} records.
     * The frame is not copied here; {@link #sent} copies it.
     */
    public record Copy(int port, int stateId, int updateNo, int vnfId, byte[] frame) {
    }

    /** What {@link #poll(long)} found due: copies to send, and messages given up. */
    public record Due(List<Resend> resend, List<Key> abandoned) {
        public Due {
            resend = List.copyOf(resend);
            abandoned = List.copyOf(abandoned);
        }
    }

    private static final class Pending {
        final int updateNo;
        final int vnfId;
        final byte[] frame;
        int retransmissions;
        long deadline;

        Pending(int updateNo, int vnfId, byte[] frame, long deadline) {
            this.updateNo = updateNo;
            this.vnfId = vnfId;
            this.frame = frame.clone();
            this.deadline = deadline;
        }
    }

    private final Duration timeout;
    private final Duration maxTimeout;
    private final int limit;
    private final Map<Key, Pending> pending = new LinkedHashMap<>();
    private long acknowledged;
    private long retransmissions;
    private long abandoned;

    /**
     * @param timeout the wait for a SUB-ack before the first retransmission
     * @param maxTimeout the longest wait (the wait doubles per retransmission)
     * @param limit retransmissions before giving up, 0 or more
     */
    public SubRetransmissions(Duration timeout, Duration maxTimeout, int limit) {
        if (timeout.isNegative() || timeout.isZero() || maxTimeout.compareTo(timeout) < 0 || limit < 0) {
            throw new IllegalArgumentException("need 0 < timeout <= maxTimeout and limit >= 0");
        }
        this.timeout = timeout;
        this.maxTimeout = maxTimeout;
        this.limit = limit;
    }

    /**
     * Records that {@code frame} (a SUB-register or SUB-remove as it left) was sent on tree port
     * {@code port} at {@code now}, replacing what was outstanding there for the same state.
     */
    public void sent(int port, int stateId, int updateNo, int vnfId, byte[] frame, long now) {
        pending.remove(new Key(port, stateId)); // re-inserted last: iteration stays in send order
        pending.put(new Key(port, stateId), new Pending(updateNo, vnfId, frame, now + timeout.toNanos()));
    }

    /** {@link #sent(int, int, int, int, byte[], long)} of one copy. */
    public void sent(Copy copy, long now) {
        sent(copy.port(), copy.stateId(), copy.updateNo(), copy.vnfId(), copy.frame(), now);
    }

    /**
     * A SUB-ack came in by {@code port}: true if it completes the outstanding message (which is then
     * forgotten), false for a stale or unrelated ack.
     */
    public boolean acknowledged(int port, int stateId, int updateNo, int vnfId) {
        Key key = new Key(port, stateId);
        Pending p = pending.get(key);
        if (p == null || p.updateNo != updateNo || p.vnfId != vnfId) {
            return false;
        }
        pending.remove(key);
        acknowledged++;
        return true;
    }

    /** The messages due at {@code now}: resent (and rescheduled) or, past the limit, abandoned. */
    public Due poll(long now) {
        List<Resend> resend = new ArrayList<>();
        List<Key> given = new ArrayList<>();
        var it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Pending> e = it.next();
            Pending p = e.getValue();
            if (p.deadline - now > 0) {
                continue;
            }
            if (p.retransmissions >= limit) {
                it.remove();
                given.add(e.getKey());
                abandoned++;
                continue;
            }
            p.retransmissions++;
            retransmissions++;
            p.deadline = now + Backoff.exponential(timeout, maxTimeout, p.retransmissions).toNanos();
            resend.add(new Resend(e.getKey().port(), p.frame));
        }
        return new Due(resend, given);
    }

    /** The earliest deadline of an outstanding message, if any. */
    public OptionalLong nextDeadline() {
        return pending.values().stream().mapToLong(p -> p.deadline)
                .reduce((a, b) -> a - b <= 0 ? a : b);
    }

    /** Forgets everything outstanding (the counters stay). */
    public void clear() {
        pending.clear();
    }

    /** The counters, for the agent's view. */
    public ArqCounters counters() {
        return new ArqCounters(pending.size(), acknowledged, retransmissions, abandoned);
    }
}
