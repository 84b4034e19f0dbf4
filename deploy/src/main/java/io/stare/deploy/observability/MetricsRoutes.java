package io.stare.deploy.observability;

import io.stare.actors.observability.Exposition;
import java.util.Optional;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Accept;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * {@code GET /metrics} on Pekko Management's endpoint ({@code stare-metrics} in
 * {@code pekko.management.http.routes}): the role's metrics ({@link RoleStatus}) in the format the
 * scraper's {@code Accept} header asks for, written by the Prometheus Java client. A role whose
 * metrics cannot be read answers 503 with the reason.
 */
public final class MetricsRoutes extends AllDirectives implements ManagementRouteProvider {

    private final RoleStatus status;

    /** Pekko Management creates the routes with its actor system. */
    public MetricsRoutes(ExtendedActorSystem system) {
        this.status = RoleStatus.get(system);
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return path("metrics", () -> get(() -> optionalHeaderValueByType(Accept.class, accept ->
                completeWithFuture(status.metrics()
                        .thenApply(snapshots -> ok(Exposition.write(snapshots, accept.map(Accept::value).orElse(null))))
                        .exceptionally(MetricsRoutes::unavailable)))));
    }

    private static HttpResponse ok(Exposition.Written written) {
        ContentType type = ContentTypes.parse(written.contentType());
        return HttpResponse.create().withEntity(type, written.body());
    }

    private static HttpResponse unavailable(Throwable error) {
        Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                ? error.getCause() : error;
        return HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE)
                .withEntity("metrics unavailable: " + Optional.ofNullable(cause.getMessage()).orElse(cause.toString())
                        + "\n");
    }
}
