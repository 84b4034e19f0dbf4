package io.stare.deploy.observability;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Pekko Management's readiness check of every STARE role ({@code stare-role} in
 * {@code pekko.management.health-checks.readiness-checks}): ready once the role says it serves
 * ({@link RoleStatus#declare}). Cluster members are also checked by Management's own
 * cluster-membership check (Up or WeaklyUp).
 */
public final class RoleServing implements Supplier<CompletionStage<Boolean>> {

    private final RoleStatus status;

    /** Pekko Management creates the check with its actor system. */
    public RoleServing(ActorSystem system) {
        this.status = RoleStatus.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(status.serving());
    }
}
