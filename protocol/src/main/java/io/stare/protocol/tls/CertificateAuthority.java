package io.stare.protocol.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private certificate authority kept in a directory ({@code ca.key}, {@code ca.crt}), made and
 * used with the {@code openssl} command as an operator would by hand: {@code stare tls} for a first
 * deployment, and the tests and benchmarks of STARE's TLS channels. Keys are RSA 2048, certificates
 * PEM. Each node's files go to a directory of its own laid out as a Kubernetes TLS Secret mounts it
 * ({@code tls.key}, {@code tls.crt}, {@code ca.crt}: what {@link TlsDirectory} and cluster TLS read).
 *
 * <p>Every node certificate names {@value #CLUSTER_NAME} (Pekko's rotating-keys engine admits
 * cluster peers that share a subject name with the node's own certificate), the node's name and
 * 127.0.0.1, plus whatever other names the caller gives (the addresses clients dial).
 */
public final class CertificateAuthority {

    /** The subject name every node certificate carries. */
    public static final String CLUSTER_NAME = "stare-cluster";

    private final Path directory;

    private CertificateAuthority(Path directory) {
        this.directory = directory;
    }

    /** Whether {@code openssl} runs here. */
    public static boolean opensslAvailable() {
        try {
            Process process = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A new CA in {@code directory} ({@code ca.key}, {@code ca.crt}) named {@code name}, valid for
     * {@code days}.
     *
     * @throws IOException if {@code openssl} fails (its output is in the message), or the directory
     *     already holds a CA
     */
    public static CertificateAuthority create(Path directory, String name, int days)
            throws IOException, InterruptedException {
        Files.createDirectories(directory);
        if (Files.exists(directory.resolve("ca.key"))) {
            throw new IOException(directory.resolve("ca.key") + " exists already; open it instead of making another CA");
        }
        openssl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", String.valueOf(days), "-subj", "/CN=" + name);
        return new CertificateAuthority(directory);
    }

    /** The CA already in {@code directory}. */
    public static CertificateAuthority open(Path directory) throws IOException {
        for (String file : List.of("ca.key", "ca.crt")) {
            if (!Files.isRegularFile(directory.resolve(file))) {
                throw new IOException(directory.resolve(file) + " is missing: make the CA first");
            }
        }
        return new CertificateAuthority(directory);
    }

    /** The CA's directory. */
    public Path directory() {
        return directory;
    }

    /**
     * A certificate for {@code node} signed by this CA, valid for {@code days}, in
     * {@code directory/node}: {@code tls.key}, {@code tls.crt}, {@code ca.crt}.
     *
     * @param otherNames further subject alternative names, each {@code DNS:name} or {@code IP:address}
     * @return the node's directory
     */
    public Path issue(String node, List<String> otherNames, int days) throws IOException, InterruptedException {
        if (node.isBlank() || node.contains("/") || node.contains("..")) {
            throw new IllegalArgumentException("node name '" + node + "' must be a plain file name");
        }
        for (String name : otherNames) {
            if (!name.startsWith("DNS:") && !name.startsWith("IP:")) {
                throw new IllegalArgumentException("subject alternative name '" + name + "' must be DNS:... or IP:...");
            }
        }
        Path out = Files.createDirectories(directory.resolve(node));
        openssl(out, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "node.csr",
                "-subj", "/CN=" + CLUSTER_NAME);
        List<String> names = new ArrayList<>(List.of("DNS:" + CLUSTER_NAME, "DNS:" + node, "IP:127.0.0.1"));
        names.addAll(otherNames);
        Files.writeString(out.resolve("san.ext"), "subjectAltName=" + String.join(",", names) + "\n",
                StandardCharsets.US_ASCII);
        openssl(out, "x509", "-req", "-in", "node.csr", "-CA", directory.resolve("ca.crt").toString(), "-CAkey",
                directory.resolve("ca.key").toString(), "-CAcreateserial", "-out", "tls.crt", "-days",
                String.valueOf(days), "-extfile", "san.ext");
        Files.copy(directory.resolve("ca.crt"), out.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(out.resolve("node.csr"));
        Files.delete(out.resolve("san.ext"));
        return out;
    }

    private static void openssl(Path directory, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run openssl (is it installed?): " + e.getMessage(), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", arguments) + " failed: " + output.strip());
        }
    }
}
