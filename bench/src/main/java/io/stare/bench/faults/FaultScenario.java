package io.stare.bench.faults;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import io.stare.protocol.time.TimeFactor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;

/**
 * The fault suite's scenarios: STARE as separate processes ({@link ProcessDeployment}), one
 * publisher on h1 publishing a known sequence at a steady rate, subscribers on h2 and h3 checking
 * it ({@link SequenceTraffic}), and one fault in the middle of the stream. Each run says what every
 * subscriber got ({@link SequenceCheck.Tally}) and how long the faulty role took to come back.
 */
public enum FaultScenario {

    /** The publisher's middleware is killed ({@code SIGKILL}) and started again. */
    PUBLISHER_MIDDLEWARE_KILLED("publisher's middleware killed and restarted") {
        @Override
        Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) throws Exception {
            return restart(deployment, "h1");
        }
    },
    /** A subscriber's middleware is killed ({@code SIGKILL}) and started again. */
    SUBSCRIBER_MIDDLEWARE_KILLED("subscriber's middleware killed and restarted") {
        @Override
        Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) throws Exception {
            return restart(deployment, "h2");
        }
    },
    /**
     * Of three controller nodes, the one hosting the state's backlog is killed ({@code SIGKILL}) and
     * not started again: its shards move to the others. Issue 17 found publishes refused for 28–45 s
     * and a loss declared unrecoverable. "back in" is the time until the backlog confirms again (the
     * failover: the split-brain resolver's decision and the shard's hand-off); publishing goes on
     * meanwhile.
     */
    CONTROLLER_NODE_KILLED("the backlog's controller node (of 3) killed", 3) {
        @Override
        Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) throws Exception {
            RoleProcess victim = deployment.controller(deployment.busiestController());
            long owedBefore = deployment.unconfirmedUpdates("h1");
            int reportsBefore = deployment.unconfirmedReports("h1").size();
            long killed = System.nanoTime();
            victim.kill();
            awaitConfirming(deployment, traffic, owedBefore, reportsBefore);
            return new Fault(Duration.ofNanos(System.nanoTime() - killed), () -> 0, () -> 0);
        }
    },
    /**
     * The software switch (register mode, no agent) is killed ({@code SIGKILL}) and started again on
     * the same ports, empty: the middlewares' SUB refresh ({@code stare.middleware.sub-refresh})
     * teaches it the subscribers again, and RECOVER repairs what it dropped meanwhile. Issue 17
     * found every later update arriving through RECOVER for as long as the run lasted.
     */
    SWITCH_KILLED("the software switch killed and restarted") {
        @Override
        Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) throws Exception {
            long killed = System.nanoTime();
            deployment.softswitch().kill();
            deployment.softswitch().start();
            deployment.softswitch().awaitLine("running");
            return new Fault(Duration.ofNanos(System.nanoTime() - killed), () -> 0, () -> 0);
        }
    },
    /**
     * Another socket on the machine sends a 20-byte datagram to h2's switch port, as issue 17 found
     * it took the port over; the port, configured with h2's tunnel socket, must drop it.
     */
    SWITCH_PORT_TAKEOVER("a stranger sends to a subscriber's switch port") {
        @Override
        Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) throws Exception {
            DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress port = deployment.switchPort("h2");
            stranger.send(new DatagramPacket(new byte[20], 20, port));
            return new Fault(Duration.ZERO, () -> {
                // What the switch sent the stranger since; read after the traffic that followed.
                stranger.setSoTimeout(1);
                int captured = 0;
                byte[] buffer = new byte[2048];
                try {
                    while (captured < 100_000) {
                        stranger.receive(new DatagramPacket(buffer, buffer.length));
                        captured++;
                    }
                } catch (SocketTimeoutException drained) {
                    // nothing more queued
                } finally {
                    stranger.close();
                }
                return captured;
            }, () -> 1);
        }
    },
    /**
     * The controller's PostgreSQL goes down for 5 s and comes back (every connection reset, new ones
     * refused meanwhile), as a database restart looks to its clients. "back in" is the time from the
     * database's return to the next acknowledged publish.
     */
    POSTGRES_RESTARTED("the controller's PostgreSQL restarted (down 5 s)") {
        @Override
        Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) throws Exception {
            deployment.postgres().cut();
            hold(Duration.ofSeconds(5));
            deployment.postgres().restore();
            long back = System.nanoTime();
            traffic.awaitAcknowledged(1);
            return new Fault(Duration.ofNanos(System.nanoTime() - back), () -> 0, () -> 0);
        }
    },
    /**
     * Of three controller nodes, the one hosting the state's backlog is cut off the network (its
     * network namespace's link taken down: nothing reset, everything dropped) for 30 s, longer than
     * the split-brain resolver's {@code stable-after} (20 s): the majority downs it and takes its
     * shards, it downs itself and its process ends. Then the link comes back and the node is started
     * again, as a supervisor would. "back in" is from the heal until the node is up again in the
     * cluster. Needs root.
     */
    CONTROLLER_NODE_PARTITIONED("the backlog's controller node (of 3) cut off for 30 s", 3) {
        @Override
        ProcessDeployment.Plan plan(Duration timeout) {
            return super.plan(timeout).withPostgres(POSTGRES).withPartitions();
        }

        @Override
        Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) throws Exception {
            int victim = deployment.busiestController();
            RoleProcess node = deployment.controller(victim);
            deployment.network().cut(victim);
            hold(Duration.ofSeconds(30));
            deployment.network().heal(victim);
            long healed = System.nanoTime();
            // On its side of the partition the node was the minority: it downed itself and ends.
            int exit = node.awaitExit();
            if (exit != 0) {
                throw new AssertionError("the partitioned node ended with " + exit + ":\n" + node.tail());
            }
            node.start();
            node.awaitLine("replica controller node .* up");
            return new Fault(Duration.ofNanos(System.nanoTime() - healed), () -> 0, () -> 0);
        }
    },
    /**
     * The controller's H2 file lives on a small file system of its own, which fills to the last byte
     * for 5 s and then has room again, as a disk filled by another program does. "back in" is from
     * the room coming back until the publisher's middleware has no more updates unconfirmed than
     * before the fault. Needs root (the file system is a tmpfs the run mounts).
     */
    H2_DISK_FULL("the controller's H2 disk full for 5 s") {
        @Override
        ProcessDeployment.Plan plan(Duration timeout) {
            return super.plan(timeout).withH2Disk(64L * 1024 * 1024);
        }

        @Override
        Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) throws Exception {
            long owedBefore = deployment.unconfirmedUpdates("h1");
            int reportsBefore = deployment.unconfirmedReports("h1").size();
            deployment.h2Disk().fill();
            hold(Duration.ofSeconds(5));
            deployment.h2Disk().free();
            long freed = System.nanoTime();
            awaitConfirming(deployment, traffic, owedBefore, reportsBefore);
            return new Fault(Duration.ofNanos(System.nanoTime() - freed), () -> 0, () -> 0);
        }
    },
    /** 1 % of the frames on every server's link lost, and 1 % held back behind the next (reordered). */
    LINKS_LOSE_1("1% loss and 1% reordering on every link", 1, 0.01),
    /** The same at 5 %. */
    LINKS_LOSE_5("5% loss and 5% reordering on every link", 1, 0.05),
    /** The same at 20 %. */
    LINKS_LOSE_20("20% loss and 20% reordering on every link", 1, 0.20),
    /**
     * Strangers send junk to every listener (the switch's ports, the middlewares' tunnel sockets,
     * gateways, the controller's cluster port, P4Runtime) at the publisher's rate, from the fault to
     * the end of the run. Issue 17 found delivery p99 at 4-7 s and a middleware's heap doubled under
     * such a flood. "p50 last" is the genuine traffic's latency during the flood, beside "p50 first"
     * before it.
     */
    JUNK_FLOOD("strangers send junk to every listener at the publish rate") {
        @Override
        Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) {
            List<InetSocketAddress> udp = new ArrayList<>();
            List<InetSocketAddress> tcp = new ArrayList<>(List.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), deployment.controllerPort()),
                    deployment.p4Runtime()));
            for (String server : List.of("h1", "h2", "h3")) {
                udp.add(deployment.switchPort(server));
                udp.add(deployment.tunnel(server));
                tcp.add(deployment.gateway(server));
            }
            JunkFlood flood = new JunkFlood(udp, tcp, traffic.perSecond(), 17).start();
            return new Fault(Duration.ZERO, () -> {
                flood.close();
                return 0;
            }, () -> flood.sent() + flood.refused());
        }
    };

    /** The updates at the end of a run whose delivery {@link Outcome} looks at. */
    static final int LAST = 400;
    /** The PostgreSQL the machine runs for every session (trust authentication, database test). */
    static final InetSocketAddress POSTGRES = new InetSocketAddress("127.0.0.1", 5432);

    private final String description;
    private final int controllerNodes;
    /** Loss and reordering on every link from the fault on; 0: the links are not relayed at all. */
    private final double linkFaults;

    FaultScenario(String description) {
        this(description, 1);
    }

    FaultScenario(String description, int controllerNodes) {
        this(description, controllerNodes, 0);
    }

    FaultScenario(String description, int controllerNodes, double linkFaults) {
        this.description = description;
        this.controllerNodes = controllerNodes;
        this.linkFaults = linkFaults;
    }

    /** What the scenario does, for tables. */
    public String description() {
        return description;
    }

    /**
     * Injects the fault; returns how long the system took to take it and what to count after. The
     * lossy-link scenarios turn loss and reordering on in both directions of every server's link,
     * until the end of the run.
     */
    Fault inject(ProcessDeployment deployment, SequenceTraffic traffic) throws Exception {
        if (linkFaults == 0) {
            throw new IllegalStateException(this + " injects nothing");
        }
        for (String server : List.of("h1", "h2", "h3")) {
            deployment.link(server).loss(linkFaults).reordering(linkFaults);
        }
        return new Fault(Duration.ZERO, () -> 0, () -> 0);
    }

    /**
     * An injected fault: the time until the faulty role was back, what to count once the traffic is
     * over (datagrams a stranger captured), and the junk strangers sent.
     */
    record Fault(Duration back, Capture capture, LongSupplier junk) {
    }

    /** Counts, once the traffic is over, the datagrams that went where they must not. */
    @FunctionalInterface
    interface Capture {
        int datagrams() throws Exception;
    }

    /**
     * Waits until the backlog confirms the publisher's updates as before the fault: no more owed
     * than then, or than a quarter second of publishing, in a counters line printed after the one
     * that follows the fault (so not one from before it). The counters come once a second, so the
     * time is that coarse; a backlog that never writes again fails here (after 90 s: the
     * split-brain resolver's decision and a hand-off fit in it).
     */
    private static void awaitConfirming(ProcessDeployment deployment, SequenceTraffic traffic, long owedBefore,
                                        int reportsBefore) {
        long usual = Math.max(owedBefore, traffic.perSecond() / 4);
        org.awaitility.Awaitility.await().atMost(TimeFactor.dilated(Duration.ofSeconds(90)))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    List<Long> reports = deployment.unconfirmedReports("h1");
                    return reports.size() > reportsBefore + 1 && reports.get(reports.size() - 1) <= usual;
                });
    }

    /** Lets a fault last: its length is the fault itself, not a wait for something to happen. */
    private static void hold(Duration duration) {
        java.util.concurrent.locks.LockSupport.parkNanos(duration.toNanos());
    }

    /**
     * What the scenario deploys: its controller nodes, three servers, relays where its links fail,
     * PostgreSQL where the database restarts.
     */
    ProcessDeployment.Plan plan(Duration timeout) {
        ProcessDeployment.Plan plan = ProcessDeployment.Plan.of(3, timeout).withControllerNodes(controllerNodes);
        if (linkFaults > 0) {
            plan = plan.withRelays();
        }
        return this == POSTGRES_RESTARTED ? plan.withPostgres(POSTGRES) : plan;
    }

    private static Fault restart(ProcessDeployment deployment, String server) throws Exception {
        long killed = System.nanoTime();
        deployment.middleware(server).kill();
        deployment.middleware(server).start();
        deployment.awaitMiddleware(server);
        return new Fault(Duration.ofNanos(System.nanoTime() - killed), () -> 0, () -> 0);
    }

    /**
     * One run's outcome.
     *
     * @param tallies per subscriber (h2, h3, and any external one)
     * @param acknowledged sequences the publisher was told were published
     * @param back from the fault until the faulty role was up again (zero where nothing restarts)
     * @param failedPublishes publishes refused or unanswered while the fault lasted
     * @param captured datagrams a stranger received from the switch
     * @param longestPause the longest time between two acknowledged publishes
     * @param firstLatency the median publish-to-delivery time of the first 400 updates (before the
     *     fault) at the slowest subscriber: the unloaded figure
     * @param lastLatency the median publish-to-delivery time of the last 400 updates (at most half
     *     of those after the fault) at the slowest subscriber
     * @param recoveredAtTheEnd segments a subscriber's middleware recovered from the backlog while
     *     those last updates were published (the most of h2 and h3): about 0 once the data plane
     *     carries the stream again, about one per update while only recovery does
     * @param junk junk messages strangers offered the deployment's listeners (datagrams sent, connections tried)
     * @param unconfirmedAtTheEnd published updates the backlog had not confirmed (at the publisher's
     *     middleware) once every subscriber had settled: 0 when the backlog holds the whole sequence
     */
    public record Outcome(Map<String, SequenceCheck.Tally> tallies, int acknowledged, Duration back,
                          long failedPublishes, int captured, Duration longestPause, Duration firstLatency,
                          Duration lastLatency, long recoveredAtTheEnd, long junk, long unconfirmedAtTheEnd) {

        /** Every subscriber clean, every acknowledged update delivered or declared lost, nothing captured. */
        public boolean nothingLostSilently() {
            return captured == 0 && tallies.values().stream().allMatch(t -> t.clean()
                    && t.delivered() + t.lostWithNotice() == acknowledged);
        }

        /**
         * Nothing lost at all: {@link #nothingLostSilently}, no loss notice either, and the backlog
         * confirmed every update, as it must be wherever it still holds every update (no scenario
         * here truncates it).
         */
        public boolean nothingLost() {
            return nothingLostSilently() && unconfirmedAtTheEnd == 0
                    && tallies.values().stream().allMatch(t -> t.lostWithNotice() == 0);
        }
    }

    /**
     * Runs the scenario in {@code directory}.
     *
     * @param perSecond the publisher's rate
     * @param before acknowledged publishes before the fault
     * @param after acknowledged publishes after it
     * @param external adds subscribers this class does not run (given the deployment and the
     *     traffic, before it starts); returns what to close after
     * @throws ScenarioUnavailable where the scenario needs what this machine does not allow (root)
     */
    public Outcome run(Path directory, int perSecond, int before, int after,
                       BiFunction<ProcessDeployment, SequenceTraffic, AutoCloseable> external) throws Exception {
        try (ProcessDeployment deployment = ProcessDeployment.start(directory, plan(Duration.ofSeconds(60)));
             SequenceTraffic traffic = new SequenceTraffic(deployment, "positions", "h1", List.of("h2", "h3"),
                     perSecond, Duration.ofSeconds(20));
             AutoCloseable extra = external.apply(deployment, traffic)) {
            traffic.start();
            traffic.awaitAcknowledged(before);
            Fault fault = inject(deployment, traffic);
            int last = Math.min(LAST, after / 2);
            traffic.awaitAcknowledged(after - last);
            Map<String, Long> recoveredBefore = recovered(deployment);
            traffic.awaitAcknowledged(last);
            traffic.stopPublishing();
            Map<String, SequenceCheck.Tally> tallies = traffic.settle(Duration.ofSeconds(60));
            long recoveredAtTheEnd = 0;
            for (Map.Entry<String, Long> now : recovered(deployment).entrySet()) {
                recoveredAtTheEnd = Math.max(recoveredAtTheEnd, now.getValue() - recoveredBefore.get(now.getKey()));
            }
            int captured = fault.capture().datagrams();
            return new Outcome(tallies, traffic.acknowledged(), fault.back(), traffic.failedPublishes(), captured,
                    traffic.longestPause(), traffic.firstLatency(Math.min(LAST, before)), traffic.lastLatency(last),
                    recoveredAtTheEnd, fault.junk().getAsLong(), settledConfirmations(deployment));
        }
    }

    /**
     * The publisher's updates the backlog has not confirmed, once it has confirmed them all or 90 s
     * have passed (a failover fits in; the counters line comes once a second when it changed).
     */
    private static long settledConfirmations(ProcessDeployment deployment) {
        try {
            org.awaitility.Awaitility.await().atMost(TimeFactor.dilated(Duration.ofSeconds(90)))
                    .pollInterval(Duration.ofMillis(200)).until(() -> deployment.unconfirmedUpdates("h1") == 0);
        } catch (org.awaitility.core.ConditionTimeoutException stillOwed) {
            // reported as it stands
        }
        return deployment.unconfirmedUpdates("h1");
    }

    /** The subscriber middlewares' recovered segments so far (a restarted one counts from 0 again). */
    private static Map<String, Long> recovered(ProcessDeployment deployment) {
        return Map.of("h2", deployment.recoveredSegments("h2"), "h3", deployment.recoveredSegments("h3"));
    }

    /** Runs the scenario with no external subscriber. */
    public Outcome run(Path directory, int perSecond, int before, int after) throws Exception {
        return run(directory, perSecond, before, after, (deployment, traffic) -> () -> { });
    }
}
