package io.stare.deploy.observability;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.stare.deploy.cli.UserInputException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * A role's endpoint for operators and probes: Pekko Management's HTTP server, which serves
 * <ul>
 *   <li>{@code /ready}: Management's readiness checks: the role serves ({@link RoleServing}) and,
 *   on a cluster node, the node is an Up member: the readiness probe;</li>
 *   <li>{@code /alive}: Management's liveness checks (the actor system runs): the liveness probe;</li>
 *   <li>{@code /metrics}: the role's metrics ({@link MetricsRoutes}): what Prometheus scrapes;</li>
 *   <li>and, with Cluster Bootstrap, the bootstrap's contact-point routes.</li>
 * </ul>
 * Where it listens is configuration ({@code pekko.management.http.hostname} and {@code port},
 * loopback by default): {@link #at} gives it for {@code --metrics HOST:PORT}.
 */
public final class OperatorEndpoint {

    private OperatorEndpoint() {
    }

    /**
     * The configuration that puts the endpoint at {@code at} (port 0: any free port), to lay over
     * the role's before its actor system starts.
     *
     * @param clusterMember false for roles without a cluster (softswitch, agent, demo), whose
     *     readiness must not wait for a membership they never get
     */
    public static Config at(InetSocketAddress at, boolean clusterMember) {
        Map<String, Object> values = new HashMap<>();
        values.put("pekko.management.http.hostname", at.getHostString());
        values.put("pekko.management.http.port", at.getPort());
        if (!clusterMember) {
            values.put("pekko.management.health-checks.readiness-checks.cluster-membership", "");
        }
        return ConfigFactory.parseMap(values);
    }

    /**
     * Declares the role's metrics and readiness, and starts Pekko Management.
     *
     * @param metrics the role's metrics, read at each scrape
     * @param serving whether the role serves yet
     * @param bound how long binding may take
     * @return where the endpoint listens (the real port when configured 0)
     * @throws UserInputException if the endpoint cannot listen within {@code bound}
     */
    public static InetSocketAddress start(ActorSystem<?> system, Supplier<CompletionStage<MetricSnapshots>> metrics,
                                          BooleanSupplier serving, Duration bound) {
        RoleStatus.get(system).declare(metrics, serving);
        Config config = system.settings().config();
        String where = config.getString("pekko.management.http.hostname") + ":"
                + config.getInt("pekko.management.http.port");
        Uri uri;
        try {
            uri = PekkoManagement.get(Adapter.toClassic(system)).start().toCompletableFuture()
                    .get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new UserInputException("the operator endpoint (Pekko Management) could not listen on " + where
                    + ": " + cause.getMessage());
        } catch (TimeoutException e) {
            throw new UserInputException("the operator endpoint (Pekko Management) did not listen on " + where
                    + " within " + bound.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserInputException("interrupted while the operator endpoint started");
        }
        return new InetSocketAddress(uri.host().address(), uri.port());
    }

    /** "http://127.0.0.1:8558/metrics (and /ready, /alive)": the line each role prints. */
    public static String describe(InetSocketAddress at) {
        return "http://" + at.getHostString() + ":" + at.getPort() + "/metrics (and /ready, /alive)";
    }
}
