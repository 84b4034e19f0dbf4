package io.stare.deploy.observability;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * What a role tells its operator endpoint: its metrics, read at each scrape, and whether it serves
 * yet. Pekko Management creates {@link MetricsRoutes} and {@link RoleServing} by class name; they
 * find the role's answers here, in an extension of the same actor system.
 */
public final class RoleStatus implements Extension {

    /** The extension's ID. */
    public static final Id ID = new Id();

    /** Creates the one {@link RoleStatus} of an actor system. */
    public static final class Id extends AbstractExtensionId<RoleStatus> implements ExtensionIdProvider {
        @Override
        public RoleStatus createExtension(ExtendedActorSystem system) {
            return new RoleStatus();
        }

        @Override
        public Id lookup() {
            return ID;
        }
    }

    private volatile Supplier<CompletionStage<MetricSnapshots>> metrics =
            () -> CompletableFuture.completedFuture(MetricSnapshots.of());
    private volatile BooleanSupplier serving = () -> false;

    private RoleStatus() {
    }

    /** The role status of {@code system}. */
    public static RoleStatus get(ActorSystem system) {
        return ID.get(system);
    }

    /** The role status of {@code system}. */
    public static RoleStatus get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
        return ID.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
    }

    /**
     * Declares the role's answers.
     *
     * @param metrics the role's metrics, computed per scrape (may fail: the scrape gets 503)
     * @param serving whether the role serves yet (readiness)
     */
    public void declare(Supplier<CompletionStage<MetricSnapshots>> metrics, BooleanSupplier serving) {
        this.metrics = metrics;
        this.serving = serving;
    }

    CompletionStage<MetricSnapshots> metrics() {
        return metrics.get();
    }

    boolean serving() {
        return serving.getAsBoolean();
    }
}
