package io.stare.p4.bmv2;

import io.stare.p4.pipeline.CpuHeaders;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * BMv2's {@code simple_switch_grpc} process, started without a program in a {@link NetworkNamespace}:
 * port {@code i} is veth {@code vsI}, the CPU port (P4Runtime packet-in/out) is 255, and P4Runtime
 * is served on a Unix socket in a temporary directory, reached from the JVM through a loopback
 * {@link UnixSocketForwarder}. BMv2 opens no TCP port (the builds we use have no Thrift server), so
 * nothing of it is reachable from outside the machine.
 *
 * <p>This is main code, not test code, because {@code stare bench rules --bmv2} launches BMv2 from
 * the shaded jar; the integration tests wrap it with a frame tap ({@code Bmv2Target}).
 *
 * <p>The system property {@code stare.bmv2.log} sets BMv2's log level (default {@code warn}); the
 * log is kept in the temporary directory until {@link #close()}, and {@link #log()} returns it.
 */
public final class Bmv2Process implements AutoCloseable {

    /** The device ID BMv2 is started with: every P4Runtime request must name it. */
    public static final long DEVICE_ID = 1;

    /** BMv2's {@code /proc/PID/status} name: the kernel keeps the first 15 bytes of the binary's name. */
    private static final String PROCESS_NAME_PREFIX = "simple_switch";

    private final Path dir;
    private final Cleanup.Handle dirCleanup;
    private final int ports;
    private Process process;
    private Cleanup.Handle processCleanup;
    private UnixSocketForwarder forwarder;

    private Bmv2Process(Path dir, int ports) {
        this.dir = dir;
        this.ports = ports;
        this.dirCleanup = Cleanup.register(() -> Host.deleteTree(dir));
    }

    /**
     * Starts BMv2 on the namespace's switch-side interfaces and waits until it serves P4Runtime;
     * closes everything it made if that fails.
     */
    public static Bmv2Process start(NetworkNamespace namespace) throws IOException, InterruptedException {
        Bmv2Process bmv2 = new Bmv2Process(Files.createTempDirectory("stare-bmv2-"), namespace.ports());
        try {
            bmv2.forwarder = new UnixSocketForwarder(bmv2.startProcess(namespace));
        } catch (IOException | InterruptedException | RuntimeException e) {
            bmv2.close();
            throw e;
        }
        return bmv2;
    }

    /**
     * Kills BMv2 and starts a new, empty one (no program) on the same ports, P4Runtime socket and
     * loopback TCP port, as a switch restart: connections through the forwarder end, new ones
     * reach the new process.
     */
    public void restart(NetworkNamespace namespace) throws IOException, InterruptedException {
        processCleanup.run();
        Files.deleteIfExists(dir.resolve("p4runtime.sock"));
        startProcess(namespace);
    }

    /** Starts simple_switch_grpc and waits for its P4Runtime socket; returns the socket. */
    private Path startProcess(NetworkNamespace namespace) throws IOException, InterruptedException {
        Path socket = dir.resolve("p4runtime.sock");
        List<String> command = new ArrayList<>(List.of(Host.bmv2().orElseThrow(
                        () -> new IOException(Host.bmv2NotFound().orElse("BMv2 not found"))).toString(),
                "--device-id", String.valueOf(DEVICE_ID),
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

    /**
     * The PID of simple_switch_grpc itself, whose {@code /proc/PID/status} a memory measurement reads.
     * {@code ip netns exec} replaces itself with the command, so that is normally the started process;
     * an iproute2 that forks instead leaves BMv2 as its child, which is looked for as a fallback.
     */
    public long switchPid() throws IOException {
        if (isBmv2(process.pid())) {
            return process.pid();
        }
        Optional<ProcessHandle> child = process.descendants().filter(p -> isBmv2(p.pid())).findFirst();
        return child.orElseThrow(() -> new IOException("no simple_switch_grpc process under PID " + process.pid()))
                .pid();
    }

    private static boolean isBmv2(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("Name:")) {
                    return line.substring("Name:".length()).trim().startsWith(PROCESS_NAME_PREFIX);
                }
            }
        } catch (IOException gone) {
            // Exited, or not Linux.
        }
        return false;
    }

    /** Whether the switch process is still running. */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The temporary directory BMv2 runs in (its socket and log); deleted by {@link #close()}. */
    public Path dir() {
        return dir;
    }

    /** The loopback TCP port that reaches BMv2's P4Runtime server. */
    public int p4RuntimePort() {
        return forwarder.port();
    }

    /** The number of front ports BMv2 was given. */
    public int ports() {
        return ports;
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
    public void close() {
        if (forwarder != null) {
            forwarder.close();
        }
        if (processCleanup != null) {
            processCleanup.run();
        }
        dirCleanup.run();
    }
}
