package io.stare.deploy.tls;

import io.stare.deploy.cli.UserInputException;
import io.stare.protocol.tls.CertificateAuthority;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare tls ca} and {@code stare tls node}: a private CA and one certificate directory per
 * node ({@code tls.key}, {@code tls.crt}, {@code ca.crt}), the layout every TLS option of STARE
 * reads (cluster {@code --tls-dir}, P4Runtime {@code --tls-dir}, the gateway's
 * {@code tls-directory}, {@code $STARE_GATEWAY_TLS_DIR}). A start for a deployment; an existing PKI
 * can issue the same files instead. Needs the {@code openssl} command.
 */
@Command(name = "tls", mixinStandardHelpOptions = true,
        description = "Make a private CA and per-node certificate directories (tls.key, tls.crt, ca.crt) for "
                + "STARE's TLS options, with openssl.",
        subcommands = {TlsCommand.Authority.class, TlsCommand.Node.class})
public final class TlsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code stare tls ca --dir DIR}. */
    @Command(name = "ca", mixinStandardHelpOptions = true, description = "Make a CA in DIR (ca.key, ca.crt).")
    static final class Authority implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", required = true, description = "where the CA's files go")
        Path directory;

        @Option(names = "--name", defaultValue = "stare-ca", description = "the CA's name (default: ${DEFAULT-VALUE})")
        String name;

        @Option(names = "--days", defaultValue = "365", description = "validity in days (default: ${DEFAULT-VALUE})")
        int days;

        @Override
        public Integer call() throws InterruptedException {
            requireOpenssl();
            positive(days);
            try {
                CertificateAuthority.create(directory, name, days);
            } catch (IOException e) {
                throw new UserInputException(e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("CA '" + name + "' in " + directory + " (ca.key: keep it private; ca.crt: give it to every node)");
            out.flush();
            return 0;
        }
    }

    /** {@code stare tls node --dir DIR --name NODE [--san IP:...,DNS:...]}. */
    @Command(name = "node", mixinStandardHelpOptions = true,
            description = "Issue a certificate for one node (a controller, middleware, switch, agent or VNF) in "
                    + "DIR/NAME: tls.key, tls.crt, ca.crt.")
    static final class Node implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", required = true, description = "the CA's directory (stare tls ca)")
        Path directory;

        @Option(names = "--name", paramLabel = "NODE", required = true, description = "the node's name")
        String name;

        @Option(names = "--san", paramLabel = "NAME", split = ",",
                description = "more names the certificate must carry: the addresses clients dial, e.g. "
                        + "IP:10.0.0.5,DNS:switch-1.example (it always names stare-cluster, NODE and 127.0.0.1)")
        List<String> otherNames = List.of();

        @Option(names = "--days", defaultValue = "365", description = "validity in days (default: ${DEFAULT-VALUE})")
        int days;

        @Override
        public Integer call() throws InterruptedException {
            requireOpenssl();
            positive(days);
            Path issued;
            try {
                issued = CertificateAuthority.open(directory).issue(name, otherNames, days);
            } catch (IOException | IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(issued + " (tls.key, tls.crt, ca.crt): pass it as --tls-dir, or mount it as a Secret");
            out.flush();
            return 0;
        }
    }

    private static void requireOpenssl() {
        if (!CertificateAuthority.opensslAvailable()) {
            throw new UserInputException("the openssl command is not available here; install it, or issue the "
                    + "files (tls.key PKCS#8, tls.crt, ca.crt) with your own PKI");
        }
    }

    private static void positive(int days) {
        if (days < 1) {
            throw new UserInputException("--days must be 1 or more, not " + days);
        }
    }
}
