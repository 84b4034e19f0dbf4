package io.stare.deploy.cluster;

import com.typesafe.config.Config;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** What every STARE cluster-node command (controller, middleware, status) needs: seeds, the actor system, leaving. */
public final class ClusterNode {

    /** The actor system name every STARE cluster node has (cluster members must share it). */
    public static final String SYSTEM = "stare";

    private static final Pattern PEKKO_ADDRESS = Pattern.compile("pekko://([^@/]+)@(.+?)/?");

    private ClusterNode() {
    }

    /** Seed nodes given as {@code HOST:PORT} (or {@code pekko://stare@HOST:PORT}) as Pekko addresses. */
    public static List<String> seeds(List<String> texts) {
        List<String> seeds = new ArrayList<>();
        for (String text : texts) {
            seeds.add(seed(text));
        }
        return List.copyOf(seeds);
    }

    public static String seed(String text) {
        String hostPort = text.trim();
        Matcher m = PEKKO_ADDRESS.matcher(hostPort);
        if (m.matches()) {
            if (!m.group(1).equals(SYSTEM)) {
                throw new UserInputException("--seed '" + text + "' names actor system '" + m.group(1)
                        + "'; STARE nodes are '" + SYSTEM + "'");
            }
            hostPort = m.group(2);
        }
        InetSocketAddress address = CliParsing.address("--seed", hostPort);
        if (address.getPort() == 0) {
            throw new UserInputException("--seed '" + text + "' needs a port, not 0");
        }
        return "pekko://" + SYSTEM + "@" + address.getHostString() + ":" + address.getPort();
    }

    /** The host part of a seed address from {@link #seed}. */
    public static InetSocketAddress hostPort(String seed) {
        return CliParsing.address("--seed", seed.substring(seed.indexOf('@') + 1));
    }

    /**
     * The local address this machine reaches {@code seed} from (no packet is sent), so the cluster
     * can reach this node back; 127.0.0.1 if there is no route.
     */
    public static String localAddressTowards(String seed) {
        InetSocketAddress target = hostPort(seed);
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(InetAddress.getByName(target.getHostString()), target.getPort());
            InetAddress local = probe.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? "127.0.0.1" : local.getHostAddress();
        } catch (IOException | RuntimeException e) {
            return "127.0.0.1";
        }
    }

    /** A port option's value: 0..65535. */
    public static int port(int port) {
        if (port < 0 || port > 65535) {
            throw new UserInputException("--port " + port + " is out of range 0..65535");
        }
        return port;
    }

    /**
     * Starts the node's actor system; a port that is taken (or a host that is not this machine's)
     * is a one-line error.
     */
    public static ActorSystem<Void> start(Config config, String host, int port) {
        // Try the port first: Pekko would log a stack trace before failing the same way.
        if (port != 0) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(host, port));
            } catch (java.net.BindException e) {
                String why = String.valueOf(e.getMessage());
                if (why.contains("in use")) {
                    throw new UserInputException("cannot listen on " + host + ":" + port + ": the port is in use "
                            + "(another node on this machine? choose another with --port)");
                }
                throw new UserInputException("cannot listen on " + host + ":" + port + ": " + why
                        + " (is --host an address of this machine?)");
            } catch (IOException | RuntimeException e) {
                // Let Pekko try and say what is wrong.
            }
        }
        try {
            return ActorSystem.create(Behaviors.empty(), SYSTEM, config);
        } catch (RuntimeException e) {
            String cause = bindFailure(e);
            if (cause == null) {
                throw e;
            }
            if (cause.contains("in use")) {
                throw new UserInputException("cannot listen on " + host + ":" + port + ": the port is in use "
                        + "(another node on this machine? choose another with --port)");
            }
            throw new UserInputException("cannot listen on " + host + ":" + port + ": " + cause);
        }
    }

    /** The bind error in {@code e}'s causes, or null if it is not one. */
    private static String bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return t.getMessage() == null ? "cannot bind" : t.getMessage().toLowerCase(java.util.Locale.ROOT);
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("Failed to bind") || message.contains("Bind failed")) {
                return message.contains("Address already in use") ? "address already in use"
                        : message.replaceAll("\\s+", " ");
            }
        }
        return null;
    }

    /**
     * Leaves the cluster gracefully (Pekko's coordinated shutdown: shards and singletons are handed
     * over, the node is removed) and stops the actor system, waiting at most {@code bound}; if that
     * does not finish, the system is stopped anyway.
     */
    public static void leave(ActorSystem<?> system, CoordinatedShutdown.Reason reason, Duration bound) {
        try {
            CoordinatedShutdown.get(system).runAll(reason).toCompletableFuture()
                    .get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            system.terminate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            system.terminate();
        }
        try {
            system.getWhenTerminated().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Stopped as far as it goes.
        }
    }

    /**
     * Prints the node's last line as its actor system stops: "left the cluster; node stopped", or,
     * when it stopped without leaving (downed, or before it left), why, followed by
     * {@code consequence}. Nothing if the node never was Up ({@code up} not completed).
     */
    public static void sayGoodbye(ActorSystem<?> system, java.io.PrintWriter out,
                                  java.util.concurrent.CompletableFuture<Void> up, String consequence) {
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                "stare-say-goodbye", () -> {
                    if (!up.isDone()) {
                        return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
                    }
                    MemberStatus status = Cluster.get(system).selfMember().status();
                    boolean downed = CoordinatedShutdown.get(system).getShutdownReason()
                            .map(reason -> reason == CoordinatedShutdown.clusterDowningReason()).orElse(false);
                    String line = !downed && (status == MemberStatus.removed() || status == MemberStatus.exiting())
                            ? "left the cluster; node stopped"
                            : "node stopped without leaving the cluster (it was "
                            + (downed ? "downed" : status.toString()) + "); " + consequence;
                    synchronized (out) {
                        out.println(line);
                        out.flush();
                    }
                    return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
                });
    }

    /** {@code 10 s}, {@code 500 ms}. */
    public static String human(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
