package io.stare.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for tests of STARE's TLS channels, made with the {@code openssl} command as an
 * operator would: a root CA and node certificates it signs (RSA 2048, PEM, valid two days), each in
 * a directory laid out as a Kubernetes TLS Secret mounts it ({@code tls.key}, {@code tls.crt},
 * {@code ca.crt}). Every node certificate names {@code stare-cluster} (Pekko's rotating-keys engine
 * admits peers that share a subject name with it) and 127.0.0.1.
 */
public final class TestCertificates {

    /** The subject name every node certificate carries. */
    public static final String CLUSTER_NAME = "stare-cluster";

    private final Path directory;

    private TestCertificates(Path directory) {
        this.directory = directory;
    }

    /** Whether {@code openssl} runs here. */
    public static boolean opensslAvailable() {
        return Commands.runs("openssl", "version");
    }

    /** A new CA in {@code directory} ({@code ca.key}, {@code ca.crt}). */
    public static TestCertificates authority(Path directory, String name) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        openssl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=" + name);
        return new TestCertificates(directory);
    }

    /** A node certificate signed by this CA, in {@code directory/node}: tls.key, tls.crt, ca.crt. */
    public Path node(String node) throws IOException, InterruptedException {
        Path out = Files.createDirectories(directory.resolve(node));
        openssl(out, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "node.csr",
                "-subj", "/CN=" + CLUSTER_NAME);
        Files.writeString(out.resolve("san.ext"), "subjectAltName=DNS:" + CLUSTER_NAME + ",DNS:" + node
                + ",IP:127.0.0.1\n", StandardCharsets.US_ASCII);
        openssl(out, "x509", "-req", "-in", "node.csr", "-CA", directory.resolve("ca.crt").toString(), "-CAkey",
                directory.resolve("ca.key").toString(), "-CAcreateserial", "-out", "tls.crt", "-days", "2",
                "-extfile", "san.ext");
        Files.copy(directory.resolve("ca.crt"), out.resolve("ca.crt"));
        return out;
    }

    private static void openssl(Path directory, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", arguments) + " failed: " + output);
        }
    }
}
