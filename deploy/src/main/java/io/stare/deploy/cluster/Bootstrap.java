package io.stare.deploy.cluster;

import com.typesafe.config.Config;
import io.stare.deploy.cli.UserInputException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * How a STARE cluster node finds the others ({@code stare.cluster.bootstrap.mode},
 * {@code $STARE_CLUSTER_BOOTSTRAP}): through its seed list, or, in Kubernetes, through Pekko
 * Management's Cluster Bootstrap with Kubernetes API discovery, which needs no seed list. In that
 * mode the node also serves Pekko Management: the bootstrap's contact point, and the health checks
 * the pods' probes ask ({@code /ready}: this node is an Up member; {@code /alive}).
 */
public final class Bootstrap {

    /** The ways to find the cluster. */
    public enum Mode {
        /** The {@code --seed} list; without one the node founds a new cluster. */
        SEEDS,
        /** Cluster Bootstrap over the Kubernetes API (stare-bootstrap.conf). */
        KUBERNETES_API;

        /** The name in the configuration: {@code seeds}, {@code kubernetes-api}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final String MODE = "stare.cluster.bootstrap.mode";

    private Bootstrap() {
    }

    /**
     * The mode {@code config} selects.
     *
     * @throws UserInputException for a name that is no mode
     */
    public static Mode mode(Config config) {
        String name = config.getString(MODE).trim();
        for (Mode mode : Mode.values()) {
            if (mode.configName().equals(name.toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new UserInputException(MODE + " ($STARE_CLUSTER_BOOTSTRAP) must be seeds or kubernetes-api, not '"
                + name + "'");
    }

    /**
     * Refuses a seed list beside Cluster Bootstrap: the node would join the seeds and the
     * bootstrap would find a cluster of its own.
     */
    public static void checkSeeds(Mode mode, List<String> seeds) {
        if (mode == Mode.KUBERNETES_API && !seeds.isEmpty()) {
            throw new UserInputException("--seed and Cluster Bootstrap ($STARE_CLUSTER_BOOTSTRAP=kubernetes-api) "
                    + "exclude each other; give one of them");
        }
    }

    /**
     * Starts Pekko Management and Cluster Bootstrap: the node joins the cluster the pods of its
     * service form, or forms it.
     *
     * @return where Pekko Management listens
     * @throws UserInputException if Pekko Management cannot bind its port within {@code bound}
     */
    public static InetSocketAddress start(ActorSystem<?> system, Duration bound) {
        org.apache.pekko.actor.ActorSystem classic = Adapter.toClassic(system);
        Uri uri;
        try {
            uri = PekkoManagement.get(classic).start().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new UserInputException("Pekko Management could not listen on " + describe(system.settings().config())
                    + ": " + cause.getMessage());
        } catch (TimeoutException e) {
            throw new UserInputException("Pekko Management did not listen on " + describe(system.settings().config())
                    + " within " + bound.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserInputException("interrupted while Pekko Management started");
        }
        ClusterBootstrap.get(classic).start();
        return new InetSocketAddress(uri.host().address(), uri.port());
    }

    /** "the pods labelled app=stare-controller (required contact points: 3)". */
    public static String describeDiscovery(Config config) {
        return "the pods labelled app=" + config.getString("stare.cluster.bootstrap.service-name")
                + " through the Kubernetes API (required contact points: "
                + config.getInt("stare.cluster.bootstrap.required-contact-points") + ")";
    }

    private static String describe(Config config) {
        return config.getString("pekko.management.http.hostname") + ":" + config.getInt("pekko.management.http.port");
    }
}
