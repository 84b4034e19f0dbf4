package io.stare.actors.middleware;

import io.stare.client.StateListener;

/**
 * A {@link StateListener} that can make its VNF's actor stop handing deliveries over until it has
 * room: the VNF gateway's outbox towards a VNF that reads its socket slowly. Meanwhile deliveries
 * wait in the VNF's INT module, and what overflows there is read again from the backlog, so pacing
 * loses nothing the backlog holds.
 */
public interface PacedListener extends StateListener {

    /**
     * Whether it takes more deliveries now; if not, it runs {@code resume} once (from any thread)
     * when it does again.
     */
    boolean ready(Runnable resume);
}
