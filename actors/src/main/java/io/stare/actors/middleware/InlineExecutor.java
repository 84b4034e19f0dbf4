package io.stare.actors.middleware;

import java.util.concurrent.Executor;

/**
 * Runs a continuation on the thread that completes the stage, for the hot path's asks.
 *
 * <p>Why it exists: Pekko's Java {@code AskPattern.ask} returns Scala's {@code CompletableFuture}
 * adapter, which turns every plain continuation ({@code handle}, {@code exceptionally},
 * {@code thenApply}, ...) into its {@code *Async} form on {@code ForkJoinPool.commonPool()}. On a
 * machine with two cores that pool has a parallelism of 1, and {@code CompletableFuture} then starts
 * <em>a new thread for every continuation</em>: one per publish and one per delivery. Continuing with
 * {@code handleAsync(fn, InlineExecutor.INSTANCE)} avoids both the pool and the thread. Use it only
 * for continuations that are a few field writes or a {@code tell}, never for blocking work.
 */
public enum InlineExecutor implements Executor {
    INSTANCE;

    @Override
    public void execute(Runnable command) {
        command.run();
    }
}
