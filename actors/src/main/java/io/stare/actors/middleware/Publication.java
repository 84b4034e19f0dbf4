package io.stare.actors.middleware;

import io.stare.client.PublishResult;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * One state published on this server, as its VNF's threads see it: {@link #tryPublish} numbers the
 * update, splits it into segments and writes them into the server's {@link PublishLog}, and the
 * main path sends them on its next cycle. No actor, no message and no allocation per publish; the
 * outcome is a code.
 *
 * <p>The EXT module creates it when the state is declared (numbering on from the backlog's newest
 * update) and keeps it across its own restarts, so no update number is used twice.
 */
final class Publication {

    final int stateId;
    private final PublishLog log;
    private final int segmentPayload;
    private final int maxUpdateBytes;
    private final LongAdder published;
    private final LongAdder refused;
    /** The publishing VNF and the main path to wake: set again when the VNF attaches anew. */
    private volatile int vnfId;
    private volatile MainPath mainPath;
    private volatile java.util.concurrent.atomic.AtomicInteger unsent = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int maxUnsent = Integer.MAX_VALUE;
    private volatile boolean open;
    private long next; // guarded by log

    Publication(int stateId, long next, PublishLog log, int segmentPayload, int maxUpdateBytes, LongAdder published,
                LongAdder refused) {
        this.stateId = stateId;
        this.next = next;
        this.log = log;
        this.segmentPayload = segmentPayload;
        this.maxUpdateBytes = maxUpdateBytes;
        this.published = published;
        this.refused = refused;
    }

    /**
     * The state is (again) published by the VNF of {@code module}, through {@code mainPath}; at most
     * {@code maxUnsent} of the VNF's updates wait for the main path to send them.
     */
    void open(IntModule module, MainPath mainPath, int maxUnsent) {
        this.vnfId = module.vnfId();
        this.unsent = module.unsent();
        this.maxUnsent = maxUnsent;
        this.mainPath = mainPath;
        this.open = true;
    }

    /** Publishing stops until {@link #open} (the VNF left, or the EXT module restarts). */
    void close() {
        open = false;
    }

    /** Numbers on from at least {@code atLeast} (the backlog's newest update plus one). */
    void numberFrom(long atLeast) {
        synchronized (log) {
            next = Math.max(next, atLeast);
        }
    }

    /** The segments an update of {@code length} bytes takes. */
    int segmentsOf(int length) {
        return Math.max(1, (length + segmentPayload - 1) / segmentPayload);
    }

    long tryPublish(byte[] value, int offset, int length) {
        return publish(null, value, offset, length);
    }

    long tryPublish(ByteBuffer value, int offset, int length) {
        return publish(value, null, offset, length);
    }

    private long publish(ByteBuffer fromBuffer, byte[] fromArray, int offset, int length) {
        if (!open) {
            return refuse(PublishResult.UNAVAILABLE);
        }
        if (length > maxUpdateBytes) {
            return refuse(PublishResult.TOO_LARGE);
        }
        if (unsent.get() >= maxUnsent) {
            return refuse(PublishResult.BACK_PRESSURED); // the VNF outruns its main path
        }
        int segments = segmentsOf(length);
        long update;
        synchronized (log) {
            update = next;
            boolean written = fromArray != null
                    ? log.append(stateId, vnfId, update, segments, segmentPayload, fromArray, offset, length)
                    : log.append(stateId, vnfId, update, segments, segmentPayload, fromBuffer, offset, length);
            if (!written) {
                return refuse(PublishResult.BACK_PRESSURED);
            }
            next = update + 1;
        }
        unsent.incrementAndGet();
        published.increment();
        mainPath.published();
        return update;
    }

    private long refuse(long code) {
        refused.increment();
        return code;
    }
}
