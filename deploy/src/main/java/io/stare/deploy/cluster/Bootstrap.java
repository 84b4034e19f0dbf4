package io.stare.deploy.cluster;

import com.typesafe.config.Config;
import io.stare.deploy.cli.UserInputException;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;

/**
 * How a STARE cluster node finds the others ({@code stare.cluster.bootstrap.mode},
 * {@code $STARE_CLUSTER_BOOTSTRAP}): through its seed list, or, in Kubernetes, through Pekko
 * Management's Cluster Bootstrap with Kubernetes API discovery, which needs no seed list. In that
 * mode the node's operator endpoint (Pekko Management) is also the bootstrap's contact point.
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
     * Refuses {@code --metrics} beside Cluster Bootstrap: the node's one operator endpoint is then
     * Pekko Management at the pod's address, where the bootstrap's contact point must be.
     */
    public static void checkEndpoint(Mode mode, boolean metricsGiven) {
        if (mode == Mode.KUBERNETES_API && metricsGiven) {
            throw new UserInputException("--metrics and Cluster Bootstrap ($STARE_CLUSTER_BOOTSTRAP=kubernetes-api) "
                    + "exclude each other: /metrics, /ready and /alive are then served by Pekko Management at "
                    + "$STARE_MANAGEMENT_HOST:$STARE_MANAGEMENT_PORT");
        }
    }

    /**
     * Starts Cluster Bootstrap: the node joins the cluster the pods of its service form, or forms
     * it. Pekko Management must listen already ({@link io.stare.deploy.observability.OperatorEndpoint#start}):
     * it serves the contact point the other pods probe.
     */
    public static void start(ActorSystem<?> system) {
        ClusterBootstrap.get(Adapter.toClassic(system)).start();
    }

    /** "the pods labelled app=stare-controller (required contact points: 3)". */
    public static String describeDiscovery(Config config) {
        return "the pods labelled app=" + config.getString("stare.cluster.bootstrap.service-name")
                + " through the Kubernetes API (required contact points: "
                + config.getInt("stare.cluster.bootstrap.required-contact-points") + ")";
    }
}
