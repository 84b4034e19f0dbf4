package io.stare.actors.middleware;

import io.stare.client.Delivery;
import io.stare.client.UpdateHandler;
import java.nio.ByteBuffer;

/**
 * A VNF's inline handler, wrapped so that it remembers the last update it handled: a middleware
 * restart resumes the subscription after it, and a resumed stream's repeats are skipped. Called
 * on the main path's thread only.
 */
final class ResumingHandler implements UpdateHandler {

    final UpdateHandler inner;
    private final Vnf.Handle handle;
    volatile long last = -1;

    ResumingHandler(UpdateHandler inner, Vnf.Handle handle) {
        this.inner = inner;
        this.handle = handle;
    }

    @Override
    public void onUpdate(int stateId, int publisherVnfId, long update, ByteBuffer buffer, int offset, int length) {
        if (update <= last) {
            return;
        }
        last = update;
        try {
            inner.onUpdate(stateId, publisherVnfId, update, buffer, offset, length);
        } catch (RuntimeException | AssertionError e) {
            handle.listenerFailed(e);
            throw e; // the main path counts it for the server too, and goes on
        }
    }

    @Override
    public void onLoss(Delivery.Loss loss) {
        if (loss.reason() == Delivery.Loss.Reason.UNRECOVERABLE) {
            if (loss.last() <= last) {
                return;
            }
            last = loss.last();
        }
        try {
            inner.onLoss(loss);
        } catch (RuntimeException | AssertionError e) {
            handle.listenerFailed(e);
            throw e;
        }
    }
}
