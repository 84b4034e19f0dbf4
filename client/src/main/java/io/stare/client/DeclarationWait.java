package io.stare.client;

import io.stare.protocol.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A subscription that may come before its state's declaration: {@link StareClient#subscribe(String,
 * StateListener, java.time.Duration)} and its {@code UpdateHandler} twin, for every implementation.
 */
public final class DeclarationWait {

    /** How often a waiting subscription asks again whether its state has been declared. */
    public static final long POLL_MS = 200;

    private DeclarationWait() {
    }

    /**
     * Runs {@code subscribe} until it succeeds, fails otherwise than with {@code UNKNOWN_STATE}, or
     * the next try would start after {@code deadlineNanos} ({@link System#nanoTime()}); then
     * completes as the last try did.
     */
    public static CompletionStage<Integer> untilDeclared(Supplier<CompletionStage<Integer>> subscribe,
                                                         long deadlineNanos) {
        return subscribe.get().handle((stateId, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(stateId);
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            boolean undeclared = cause instanceof StareException refused && refused.code() == ErrorCode.UNKNOWN_STATE;
            if (!undeclared || System.nanoTime() + POLL_MS * 1_000_000 > deadlineNanos) {
                return CompletableFuture.<Integer>failedFuture(cause);
            }
            return CompletableFuture.supplyAsync(() -> untilDeclared(subscribe, deadlineNanos),
                    CompletableFuture.delayedExecutor(POLL_MS, TimeUnit.MILLISECONDS)).thenCompose(next -> next);
        }).thenCompose(stage -> stage);
    }
}
