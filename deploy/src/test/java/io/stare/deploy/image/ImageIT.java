package io.stare.deploy.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The container image the image profile built ({@code target/jib-image.tar}), run without a
 * container engine: its layers unpacked into a directory, its entrypoint run there under
 * {@code chroot} as the image's user, with {@code /proc} mounted, as a runtime would. A controller
 * node with an H2 store comes up and leaves. Runs in the image profile after the image is built
 * ({@code ./mvnw -Pimage -pl deploy verify}); skipped without root (chroot, mount).
 */
class ImageIT {

    private static final Path IMAGE = Path.of("target", "jib-image.tar");

    @Test
    void theImagesEntrypointRunsAControllerNodeAsItsUser() throws Exception {
        Assumptions.assumeTrue(Files.exists(IMAGE), "no " + IMAGE + ": build it with -Pimage");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chroot and mount need root");
        Path work = Files.createTempDirectory("stare-image");
        Path layers = Files.createDirectories(work.resolve("image"));
        Path root = Files.createDirectories(work.resolve("root"));
        run(List.of("tar", "-xf", IMAGE.toAbsolutePath().toString(), "-C", layers.toString()));
        JsonNode manifest = new ObjectMapper().readTree(layers.resolve("manifest.json").toFile()).get(0);
        for (JsonNode layer : manifest.get("Layers")) {
            run(List.of("tar", "-xzf", layers.resolve(layer.asText()).toString(), "-C", root.toString()));
        }
        JsonNode config = new ObjectMapper().readTree(layers.resolve(manifest.get("Config").asText()).toFile())
                .get("config");
        String user = config.get("User").asText();
        assertEquals("10001:10001", user, "the image runs as the non-root user the manifests expect");
        List<String> command = new ArrayList<>(List.of("chroot", "--userspec=" + user, root.toString()));
        config.get("Entrypoint").forEach(part -> command.add(part.asText()));
        command.set(3, "/opt/java/bin/java"); // chroot does not search the image's PATH
        command.addAll(List.of("controller", "--store", "h2-file", "--h2-path", "/tmp/backlogs", "--port",
                String.valueOf(freePort()), "--duration", "5s"));
        run(List.of("mount", "-t", "proc", "proc", root.resolve("proc").toString()));
        try {
            Process node = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(node.waitFor(120, TimeUnit.SECONDS), output);
            assertEquals(0, node.exitValue(), output);
            assertTrue(output.contains("replica controller node pekko://stare@127.0.0.1:"), output);
            assertTrue(output.contains("left the cluster"), output);
        } finally {
            run(List.of("umount", root.resolve("proc").toString()));
            run(List.of("rm", "-rf", work.toString()));
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
