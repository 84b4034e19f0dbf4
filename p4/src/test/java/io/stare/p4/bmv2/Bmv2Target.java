package io.stare.p4.bmv2;

import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.PipelineResult;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * BMv2's {@code simple_switch_grpc}, started without a program in a {@link NetworkNamespace} of the
 * test's own: port {@code i} is veth {@code vsI}, the CPU port (P4Runtime packet-in/out) is 255,
 * and P4Runtime is served on a Unix socket in a temporary directory, reached from the JVM through a
 * loopback {@link UnixSocketForwarder}. BMv2 opens no TCP port (this build has no Thrift server).
 * Frames go in and out through a {@link FrameTap} on the veth peers.
 *
 * <p>The system property {@code stare.bmv2.log} sets BMv2's log level (default {@code warn}); the
 * log is kept in the temporary directory until {@link #close()}, and {@link #log()} returns it.
 */
public final class Bmv2Target implements SwitchTarget {

    private final Path dir;
    private final Cleanup.Handle dirCleanup;
    private Process process;
    private Cleanup.Handle processCleanup;
    private UnixSocketForwarder forwarder;
    private FrameTap tap;
    private final int ports;

    private Bmv2Target(Path dir, int ports) {
        this.dir = dir;
        this.ports = ports;
        this.dirCleanup = Cleanup.register(() -> Host.deleteTree(dir));
    }

    /** Starts BMv2 on the namespace's switch-side interfaces; closes everything it made if that fails. */
    public static Bmv2Target start(NetworkNamespace namespace) throws IOException, InterruptedException {
        Bmv2Target target = new Bmv2Target(Files.createTempDirectory("stare-bmv2-"), namespace.ports());
        try {
            target.launch(namespace);
        } catch (IOException | InterruptedException | RuntimeException e) {
            target.close();
            throw e;
        }
        return target;
    }

    private void launch(NetworkNamespace namespace) throws IOException, InterruptedException {
        Path socket = startProcess(namespace);
        forwarder = new UnixSocketForwarder(socket);
        tap = FrameTap.start(namespace, dir);
    }

    /**
     * Kills BMv2 and starts a new, empty one (no program) on the same ports, P4Runtime socket and
     * loopback TCP port, as a switch restart: connections through the forwarder end, new ones
     * reach the new process; the frame tap stays.
     */
    public void restart(NetworkNamespace namespace) throws IOException, InterruptedException {
        processCleanup.run();
        Files.deleteIfExists(dir.resolve("p4runtime.sock"));
        startProcess(namespace);
    }

    /** Starts simple_switch_grpc and waits for its P4Runtime socket; returns the socket. */
    private Path startProcess(NetworkNamespace namespace) throws IOException, InterruptedException {
        Path socket = dir.resolve("p4runtime.sock");
        List<String> command = new ArrayList<>(List.of(Host.bmv2().orElseThrow().toString(),
                "--device-id", String.valueOf(P4RuntimeController.DEVICE_ID),
                "--log-level", System.getProperty("stare.bmv2.log", "warn"),
                "--notifications-addr", "ipc://" + dir.resolve("notifications.ipc")));
        for (int port = 0; port < ports; port++) {
            command.addAll(List.of("-i", port + "@" + NetworkNamespace.switchSide(port)));
        }
        command.addAll(List.of("--no-p4", "--",
                "--cpu-port", String.valueOf(CpuHeaders.CPU_PORT),
                "--grpc-server-addr", "unix:" + socket));
        process = new ProcessBuilder(namespace.inside(command)).directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("bmv2.log").toFile())).start();
        Process started = process;
        processCleanup = Cleanup.register(() -> Host.stop(started, 2000));
        awaitSocket(socket, Duration.ofSeconds(20));
        return socket;
    }

    /** Waits until BMv2 accepts connections on its P4Runtime socket. */
    private void awaitSocket(Path socket, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int attempt = 0; System.nanoTime() < deadline && attempt < 1000; attempt++) {
            if (!process.isAlive()) {
                throw new IOException("simple_switch_grpc exited with " + process.exitValue() + ":\n" + log());
            }
            if (Files.exists(socket)) {
                try {
                    SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
                    return;
                } catch (IOException notYet) {
                    // Bound but not listening yet.
                }
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IOException("simple_switch_grpc did not open " + socket + " within " + timeout + ":\n" + log());
    }

    /** BMv2's output so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("bmv2.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public String name() {
        return "BMv2";
    }

    @Override
    public int p4RuntimePort() {
        return forwarder.port();
    }

    @Override
    public int portCount() {
        return ports;
    }

    @Override
    public boolean runsP4Program() {
        return true;
    }

    @Override
    public boolean servesRegisters() {
        return false;
    }

    @Override
    public Duration quietPeriod() {
        return Duration.ofMillis(250);
    }

    @Override
    public void send(int port, byte[] frame) throws IOException {
        tap.send(port, frame);
    }

    @Override
    public List<PipelineResult.Emission> collect(int expected, Duration max) throws IOException {
        return tap.collect(expected, max, quietPeriod());
    }

    @Override
    public void close() {
        if (tap != null) {
            tap.close();
        }
        if (forwarder != null) {
            forwarder.close();
        }
        if (processCleanup != null) {
            processCleanup.run();
        }
        dirCleanup.run();
    }
}
