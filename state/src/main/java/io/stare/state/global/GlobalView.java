package io.stare.state.global;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * E-State's global view: the reduction of the matching items of every instance of the network
 * function. Two ways to serve it: {@link StareGlobalView} (every instance keeps replicas of its
 * peers' shared items, fed over STARE, and reduces them locally) and {@link RequestReplyView}
 * (E-State's own: ask every peer). Eventually consistent: a peer's writes count once they reached
 * this instance; this instance's own count at once.
 */
public interface GlobalView extends AutoCloseable {

    /**
     * The reduction of the shared items, of every counting instance, whose structure ID matches
     * {@code idRegex} (Java regular expression, whole ID).
     */
    <R> CompletionStage<R> getGlobal(String idRegex, Reduce<R> reduce);

    /** The instances that count now, this one among them. */
    Set<String> instances();

    /** Leaves: the peers adopt this instance's items and stop counting it. */
    @Override
    void close();
}
