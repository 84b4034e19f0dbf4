package io.stare.actors.middleware;

import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * Hands the EXT module's inputs to the main path in order, without losing one: when the main
 * path's queue refuses an input, it waits here, and every later input waits behind it, until a
 * {@link #retry} gets them in. (Periodic inputs, such as latest-update answers and truncation
 * queries, are offered to the main path directly instead: the next period repeats them.)
 * Not thread-safe: the EXT module drives it.
 */
final class MainPathFeed {

    private final Predicate<MainPath.Input> queue;
    private final ArrayDeque<MainPath.Input> waiting = new ArrayDeque<>();

    /** @param queue offers an input to the main path: false if its queue is full */
    MainPathFeed(Predicate<MainPath.Input> queue) {
        this.queue = queue;
    }

    /** Hands {@code input} over, or keeps it behind those waiting: true if inputs wait now (retry later). */
    boolean feed(MainPath.Input input) {
        if (waiting.isEmpty() && queue.test(input)) {
            return false;
        }
        waiting.addLast(input);
        return true;
    }

    /** Offers what waits, in order, as far as the queue takes it: true if some still waits. */
    boolean retry() {
        while (!waiting.isEmpty() && queue.test(waiting.peekFirst())) {
            waiting.removeFirst();
        }
        return !waiting.isEmpty();
    }
}
