package io.stare.actors.observability;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One role's HTTP endpoint for operators (loopback by default):
 * <ul>
 *   <li>{@code GET /metrics}: the role's metrics in the Prometheus text format;</li>
 *   <li>{@code GET /health}: 200 while the process runs (liveness);</li>
 *   <li>{@code GET /ready}: 200 once the role serves, 503 before (readiness).</li>
 * </ul>
 * Anything else is 404; a metrics source that fails gives 503 with the reason.
 */
public final class ObservabilityServer {

    private static final Logger log = LoggerFactory.getLogger(ObservabilityServer.class);
    /** Prometheus reads the 0.0.4 text format from plain text. */
    private static final ContentType.NonBinary PROMETHEUS = ContentTypes.TEXT_PLAIN_UTF8;

    private final ServerBinding binding;

    private ObservabilityServer(ServerBinding binding) {
        this.binding = binding;
    }

    /**
     * Binds {@code host:port} (0: any free port).
     *
     * @param metrics the metrics text, computed per request
     * @param ready whether the role serves yet
     */
    public static CompletionStage<ObservabilityServer> start(ActorSystem<?> system, String host, int port,
                                                             Supplier<CompletionStage<String>> metrics,
                                                             BooleanSupplier ready) {
        return Http.get(system).newServerAt(host, port)
                .bind((org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>>)
                        request -> serve(system, request, metrics, ready))
                .thenApply(bound -> {
                    log.info("metrics, health and readiness at http://{}:{}/", bound.localAddress().getHostString(),
                            bound.localAddress().getPort());
                    return new ObservabilityServer(bound);
                });
    }

    private static CompletionStage<HttpResponse> serve(ActorSystem<?> system, HttpRequest request,
                                                       Supplier<CompletionStage<String>> metrics,
                                                       BooleanSupplier ready) {
        request.discardEntityBytes(system);
        String path = request.getUri().path();
        switch (path) {
            case "/metrics":
                return metrics.get()
                        .thenApply(text -> HttpResponse.create().withEntity(PROMETHEUS, text))
                        .exceptionally(error -> HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE)
                                .withEntity("metrics unavailable: " + error.getMessage() + "\n"));
            case "/health":
                return CompletableFuture.completedFuture(HttpResponse.create().withEntity("ok\n"));
            case "/ready":
                return CompletableFuture.completedFuture(ready.getAsBoolean()
                        ? HttpResponse.create().withEntity("ready\n")
                        : HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE).withEntity("not ready\n"));
            default:
                return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.NOT_FOUND)
                        .withEntity("no such endpoint; try /metrics, /health or /ready\n"));
        }
    }

    /** The bound address (the real port when bound to 0). */
    public InetSocketAddress localAddress() {
        return binding.localAddress();
    }

    /** Stops listening. */
    public CompletionStage<Done> close() {
        return binding.unbind();
    }
}
