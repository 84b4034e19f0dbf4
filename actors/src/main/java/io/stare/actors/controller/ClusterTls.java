package io.stare.actors.controller;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.stare.protocol.tls.TlsDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * TLS on the cluster's transport ({@code stare.cluster.tls.directory}): Pekko Artery over TLS 1.3
 * with mutual authentication, keys and certificates as PEM files in one directory, laid out as a
 * Kubernetes TLS Secret mounts them. A node joins, and a command like {@code stare controller
 * status} talks to the cluster, only with a certificate signed by the cluster's CA that shares a
 * subject name with the others (Pekko's rotating-keys engine checks both after the handshake; it
 * also reads the files again every {@code ssl-context-cache-ttl}, so certificates can rotate
 * without a restart).
 */
public final class ClusterTls {

    /** The private key (PKCS#1 or unencrypted PKCS#8, RSA). */
    public static final String KEY = TlsDirectory.KEY;
    /** The node's certificate, signed by the CA. */
    public static final String CERTIFICATE = TlsDirectory.CERTIFICATE;
    /** The cluster's root CA. */
    public static final String AUTHORITY = TlsDirectory.AUTHORITY;

    private static final String ENGINE = "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider";

    private ClusterTls() {
    }

    /**
     * Checks that {@code directory} holds the three files.
     *
     * @throws IllegalArgumentException naming the first one missing
     */
    public static void check(Path directory) {
        for (String file : List.of(KEY, CERTIFICATE, AUTHORITY)) {
            if (!Files.isReadable(directory.resolve(file))) {
                throw new IllegalArgumentException(directory + " has no readable " + file + " (it needs " + KEY + ", "
                        + CERTIFICATE + " and " + AUTHORITY + ", PEM)");
            }
        }
    }

    /**
     * {@code config} with TLS switched on if {@code stare.cluster.tls.directory} names a directory,
     * unchanged if it is empty.
     *
     * @throws IllegalArgumentException if the directory lacks one of its three files
     */
    public static Config apply(Config config) {
        String directory = config.hasPath("stare.cluster.tls.directory")
                ? config.getString("stare.cluster.tls.directory").trim() : "";
        if (directory.isEmpty()) {
            return config;
        }
        Path dir = Path.of(directory).toAbsolutePath();
        check(dir);
        String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
        return ConfigFactory.empty()
                .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
                .withValue("pekko.remote.artery.ssl.ssl-engine-provider", ConfigValueFactory.fromAnyRef(ENGINE))
                .withValue(engine + "key-file", ConfigValueFactory.fromAnyRef(dir.resolve(KEY).toString()))
                .withValue(engine + "cert-file", ConfigValueFactory.fromAnyRef(dir.resolve(CERTIFICATE).toString()))
                .withValue(engine + "ca-cert-file", ConfigValueFactory.fromAnyRef(dir.resolve(AUTHORITY).toString()))
                .withFallback(config);
    }
}
