package io.stare.bench.cli;

import io.stare.bench.tls.TlsCostRun;
import io.stare.deploy.cli.UserInputException;
import io.stare.protocol.tls.CertificateAuthority;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare bench tls}: what TLS 1.3 with mutual authentication costs on each channel that has
 * it (the VNF gateway, P4Runtime, the cluster), plain and TLS side by side in one run.
 */
@Command(name = "tls", mixinStandardHelpOptions = true,
        description = "The cost of TLS on the VNF gateway, P4Runtime and the cluster: latencies in plain text "
                + "and over TLS 1.3, side by side in one run (needs openssl). See docs/operations.md.")
public final class TlsCostCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "fewer samples: a smoke run of about a minute")
    boolean quick;

    @Option(names = "--dir", defaultValue = "bench-results/tls", paramLabel = "DIR",
            description = "where the run's CA and certificates go (default: ${DEFAULT-VALUE})")
    Path dir;

    @Override
    public void run() {
        if (!CertificateAuthority.opensslAvailable()) {
            throw new UserInputException("stare bench tls makes its certificates with openssl, which is not available");
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            TlsCostRun.run(dir, quick, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("stare bench tls failed: " + e, e);
        }
    }
}
