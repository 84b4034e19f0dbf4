package io.stare.deploy.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.stare.actors.controller.ClusterTls;
import io.stare.deploy.cli.UserInputException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --tls-dir}, shared by every command that is a cluster node ({@code stare controller},
 * {@code stare middleware}, {@code stare controller status}): the directory of the node's TLS key,
 * certificate and the cluster's CA ({@link ClusterTls}). Without it, {@code $STARE_CLUSTER_TLS_DIR}
 * or the configuration's {@code stare.cluster.tls.directory} decides; empty means plain TCP.
 */
public final class ClusterTlsOption {

    @Option(names = "--tls-dir", paramLabel = "DIR",
            description = "cluster TLS: a directory with tls.key, tls.crt and ca.crt (PEM); only nodes whose "
                    + "certificate the same CA signed get in (default: $STARE_CLUSTER_TLS_DIR, else plain TCP)")
    Path directory;

    /** The option as configuration (empty without it); a directory missing a file is a one-line error. */
    public Config overrides() {
        if (directory == null) {
            return ConfigFactory.empty();
        }
        try {
            ClusterTls.check(directory);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--tls-dir " + e.getMessage());
        }
        return ConfigFactory.empty().withValue("stare.cluster.tls.directory",
                ConfigValueFactory.fromAnyRef(directory.toAbsolutePath().toString()));
    }
}
