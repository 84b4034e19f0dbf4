package io.stare.deploy.demo;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.stare.actors.agent.AgentMetrics;
import io.stare.actors.agent.AgentView;
import io.stare.actors.agent.SwitchAgent;
import io.stare.actors.controller.ReplicaController;
import io.stare.actors.controller.StateBacklog;
import io.stare.actors.middleware.Middleware;
import io.stare.actors.observability.MiddlewareMetrics;
import io.stare.actors.observability.Exposition;
import io.stare.actors.observability.MetricFamilies;
import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StateCodec;
import io.stare.client.ValueListener;
import io.stare.deploy.demo.tracking.AreaMap;
import io.stare.deploy.demo.tracking.MobilityFixture;
import io.stare.deploy.demo.tracking.ScanReport;
import io.stare.deploy.demo.tracking.Trajectory;
import io.stare.deploy.demo.tracking.TrajectoryTracker;
import io.stare.fabric.FabricLink;
import io.stare.fabric.LocalFabric;
import io.stare.p4.pipeline.PortMask;
import io.stare.p4.program.StareProgram;
import io.stare.p4.topology.Topologies;
import io.stare.p4.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The paper's 5G use case end to end in one JVM: a STARE fabric (software switches programmed by
 * their switch agents, the replica controller, one middleware per host), one mobility-tracking VNF
 * per area of an {@link AreaMap}, and a driver that replays a {@link MobilityFixture}'s scanner
 * reports in (compressed) real time.
 *
 * <p>Each VNF ({@code tracker-<area>}) declares the state {@code scans/<area>}, publishes its area's
 * scanner reports on it in JSON ({@link ScanReport#CODEC}) and subscribes to its neighbours' states.
 * Its {@link TrajectoryTracker} consumes its own reports and those it receives, and infers the
 * trajectories of the devices that walk between the areas it hears. The demo checks every inferred
 * trajectory against the fixture's ground truth.
 *
 * <p><b>Time.</b> The fixture runs on a scenario clock: scanners report every {@link Settings#period()}
 * of scenario time, and devices walk at 0.8 to 2 m/s between areas hundreds of metres apart. The
 * driver plays it {@link Settings#speedup()} times faster than the wall clock, so that trips complete
 * within a short demo: at the default 10&times;, a 2 s scan period is one report per area every 200
 * ms, and a minute of demo is ten minutes of street.
 *
 * <p>The fabric is {@link LocalFabric} (stare-fabric), the same one the test kit runs tests on.
 *
 * <p>Thread-safe: the driver runs on its own thread, the VNFs' listeners on their actors, and
 * {@link #snapshot()} may be called from any thread.
 */
public final class MobilityDemo implements AutoCloseable {

    /** The prefix of every area's state name. */
    public static final String STATE_PREFIX = "scans/";

    /** The longest piece of scenario the driver generates at once, for runs without an end. */
    private static final long CHUNK_MILLIS = 30 * 60_000L;

    /**
     * What to run.
     *
     * @param topology the network; {@code null} for the paper's testbed (Fig. 7a): switch s1 with
     *     hosts h1, h2, h3
     * @param mode the switches' program
     * @param map the areas, one VNF each; spread over the topology's hosts in order (the testbed's
     *     four areas: one on h1, two on h2, one on h3)
     * @param devices moving devices, 0 to 50
     * @param period the scanners' period, scenario time
     * @param speedup how much faster than the wall clock the scenario runs
     * @param loss the loss probability put on every link of the fabric once it is set up
     * @param seed the seed of the fixture and of the links' loss
     * @param duration how long the demo will run (wall time), to size the scenario; empty: until stopped
     */
    public record Settings(Topology topology, StareProgram.Mode mode, AreaMap map, int devices, Duration period,
                           double speedup, double loss, long seed, Optional<Duration> duration) {

        public Settings {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(map, "map");
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(duration, "duration");
            if (devices < 0 || devices > 50) {
                throw new IllegalArgumentException("devices must be 0 to 50, got " + devices);
            }
            if (period.toMillis() < 10) {
                throw new IllegalArgumentException("the period must be at least 10 ms, got " + period.toMillis() + " ms");
            }
            if (!(speedup >= 1) || speedup > 1000) {
                throw new IllegalArgumentException("the speedup must be 1 to 1000, got " + speedup);
            }
            if (!(loss >= 0) || loss >= 1) {
                throw new IllegalArgumentException("the loss must be in [0, 1), got " + loss);
            }
        }

        /** The demo's defaults: the testbed, register mode, 40 devices, 2 s period, 10x, no loss. */
        public static Settings defaults() {
            return new Settings(null, StareProgram.Mode.REGISTER, AreaMap.paperTestbed(), 40, Duration.ofSeconds(2),
                    10, 0, 1, Optional.empty());
        }

        public Settings withTopology(Topology v) {
            return new Settings(v, mode, map, devices, period, speedup, loss, seed, duration);
        }

        public Settings withMode(StareProgram.Mode v) {
            return new Settings(topology, v, map, devices, period, speedup, loss, seed, duration);
        }

        public Settings withMap(AreaMap v) {
            return new Settings(topology, mode, v, devices, period, speedup, loss, seed, duration);
        }

        public Settings withDevices(int v) {
            return new Settings(topology, mode, map, v, period, speedup, loss, seed, duration);
        }

        public Settings withPeriod(Duration v) {
            return new Settings(topology, mode, map, devices, v, speedup, loss, seed, duration);
        }

        public Settings withSpeedup(double v) {
            return new Settings(topology, mode, map, devices, period, v, loss, seed, duration);
        }

        public Settings withLoss(double v) {
            return new Settings(topology, mode, map, devices, period, speedup, v, seed, duration);
        }

        public Settings withSeed(long v) {
            return new Settings(topology, mode, map, devices, period, speedup, loss, v, duration);
        }

        public Settings withDuration(Optional<Duration> v) {
            return new Settings(topology, mode, map, devices, period, speedup, loss, seed, v);
        }
    }

    /**
     * One VNF's counters.
     *
     * @param name the VNF's name
     * @param host the host (middleware) it runs on
     * @param area the area it watches
     * @param published reports it published
     * @param refused publishes the middleware refused
     * @param delivered neighbours' reports it received
     * @param lost neighbours' reports reported lost for good
     * @param tracked devices its tracker follows now
     * @param trajectories trajectories it inferred
     */
    public record VnfRow(String name, String host, String area, long published, long refused, long delivered,
                         long lost, int tracked, long trajectories) {
    }

    /**
     * A trajectory, as inferred by at least one VNF, with the true trip it matches.
     *
     * @param trajectory the first inference
     * @param truth the fixture's trip of the same device whose walk lies within the inferred one
     */
    public record Inferred(Trajectory trajectory, Optional<MobilityFixture.Trip> truth) {

        /** Whether a true trip matches and goes the same way. */
        public boolean correct() {
            return truth.isPresent() && truth.get().from().equals(trajectory.from())
                    && truth.get().to().equals(trajectory.to());
        }
    }

    /**
     * Where the demo stands.
     *
     * @param elapsed wall time since the driver started
     * @param scenario scenario time since the driver started
     * @param vnfs per VNF
     * @param trajectories distinct trajectories inferred (a trip is seen by the VNFs of both areas)
     * @param correct of those, how many match a true trip in the same direction
     * @param meanSpeedError the mean relative error of the matched trajectories' speeds
     * @param trueTrips true trips completed (arrived) so far
     * @param recoverRequests RECOVER requests the middlewares sent
     * @param recoveredSegments segments recovered from the backlog
     * @param unrecoverable updates lost for good
     * @param dropped packets the links dropped (injected loss)
     * @param backlogs per state name, the updates its backlog holds (-1 when the controller did not answer)
     * @param subscriberPorts per switch, per state name, the ports it forwards the state to
     * @param agentStates per switch, the states its agent knows subscribers for (-1 when it did not answer)
     * @param middlewares per host, its middleware's counters
     */
    public record Snapshot(Duration elapsed, Duration scenario, List<VnfRow> vnfs, long trajectories, long correct,
                           double meanSpeedError, long trueTrips, long recoverRequests, long recoveredSegments,
                           long unrecoverable, long dropped, Map<String, Integer> backlogs,
                           Map<String, Map<String, Integer>> subscriberPorts, Map<String, Integer> agentStates,
                           Map<String, Middleware.Stats> middlewares) {

        public long published() {
            return vnfs.stream().mapToLong(VnfRow::published).sum();
        }

        public long delivered() {
            return vnfs.stream().mapToLong(VnfRow::delivered).sum();
        }

        /** Devices tracked by any VNF now (a device near two areas counts once per VNF). */
        public long trackedSum() {
            return vnfs.stream().mapToLong(VnfRow::tracked).sum();
        }
    }

    /** One area's VNF. */
    private final class AreaVnf implements ValueListener<ScanReport> {
        final String area;
        final String host;
        final StareClient client;
        final TrajectoryTracker tracker;
        final AtomicLong published = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        final AtomicLong undecodable = new AtomicLong();
        final AtomicLong trajectories = new AtomicLong();

        AreaVnf(String area, String host, StareClient client, TrajectoryTracker tracker) {
            this.area = area;
            this.host = host;
            this.client = client;
            this.tracker = tracker;
        }

        /** The tracker is confined to this lock: the driver feeds own reports, the VNF's actor the others. */
        void accept(ScanReport report) {
            List<Trajectory> found;
            synchronized (tracker) {
                found = tracker.accept(report);
            }
            found.forEach(this::inferred);
        }

        void flush() {
            List<Trajectory> found;
            synchronized (tracker) {
                found = tracker.flush();
            }
            found.forEach(this::inferred);
        }

        int tracked() {
            synchronized (tracker) {
                return tracker.trackedDevices();
            }
        }

        private void inferred(Trajectory t) {
            trajectories.incrementAndGet();
            record(t);
        }

        @Override
        public void onValue(int stateId, long update, ScanReport value) {
            delivered.incrementAndGet();
            accept(value);
        }

        @Override
        public void onLoss(Delivery.Loss loss) {
            lost.addAndGet(loss.last() - loss.first() + 1);
        }

        @Override
        public void onUndecodable(Delivery.Update update, StateCodec.UndecodableException error) {
            undecodable.incrementAndGet();
        }
    }

    private final Settings settings;
    private final LocalFabric fabric;
    private final Map<String, AreaVnf> vnfs = new LinkedHashMap<>();
    private final Map<String, Integer> stateIds = new LinkedHashMap<>();
    private final Map<String, ActorRef<SwitchAgent.Command>> agents = new LinkedHashMap<>();
    /** Distinct trajectories by (device, from, to, departure). */
    private final Map<String, Inferred> inferred = new ConcurrentHashMap<>();
    private final Map<String, List<MobilityFixture.Trip>> truth = new ConcurrentHashMap<>();
    private final List<MobilityFixture.Trip> allTrips = new ArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Thread driver;
    private final long scenarioStart;
    private volatile long wallStartNanos;
    private volatile long scenarioNow;
    private volatile Throwable driverFailure;

    private MobilityDemo(Settings settings, LocalFabric fabric) {
        this.settings = settings;
        this.fabric = fabric;
        this.scenarioStart = System.currentTimeMillis() / 1000 * 1000;
        this.scenarioNow = scenarioStart;
        this.driver = new Thread(this::drive, "stare-demo-driver");
        this.driver.setDaemon(true);
    }

    /** The paper's testbed (Fig. 7a): one switch, s1, with hosts h1, h2 and h3 ({@link Topologies#paperTestbed}). */
    public static Topology paperTestbed() {
        return Topologies.paperTestbed();
    }

    /**
     * Which host each area's VNF runs on: the areas, in map order, spread evenly over the hosts in
     * topology order (area i of n on host round(i (h - 1) / (n - 1))). On the testbed: area-1 on h1,
     * area-2 and area-3 on h2, area-4 on h3.
     */
    public static Map<String, String> placement(AreaMap map, Topology topology) {
        List<String> hosts = topology.hosts().stream().map(Topology.Host::name).toList();
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("the topology has no host to run the VNFs on");
        }
        List<String> areas = map.areas();
        Map<String, String> placement = new LinkedHashMap<>();
        for (int i = 0; i < areas.size(); i++) {
            int h = areas.size() == 1 ? 0 : (int) Math.round((double) i * (hosts.size() - 1) / (areas.size() - 1));
            placement.put(areas.get(i), hosts.get(h));
        }
        return placement;
    }

    /** The name of an area's VNF. */
    public static String vnfName(String area) {
        return "tracker-" + area;
    }

    /**
     * Starts the fabric, attaches one VNF per area (declaring its state and subscribing to its
     * neighbours'), puts the loss on the links and starts the driver.
     */
    public static MobilityDemo start(Settings settings) throws Exception {
        Topology topology = settings.topology() != null ? settings.topology() : paperTestbed();
        Map<String, String> placement = placement(settings.map(), topology);
        LocalFabric fabric = LocalFabric.builder().topology(topology).mode(settings.mode()).seed(settings.seed())
                .timeout(Duration.ofSeconds(30)).start();
        MobilityDemo demo = new MobilityDemo(settings, fabric);
        try {
            demo.setUp(placement);
        } catch (Exception | Error e) {
            try {
                fabric.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        demo.wallStartNanos = System.nanoTime();
        demo.driver.start();
        return demo;
    }

    private void setUp(Map<String, String> placement) throws Exception {
        AreaMap map = settings.map();
        // Devices are forgotten after 15 scenario minutes; a neighbour may lag 60 s of scenario or
        // 20 s of wall time, whichever is longer (recovery through the backlog takes wall time).
        TrajectoryTracker.Settings trackerSettings = TrajectoryTracker.Settings.DEFAULTS
                .withMaxLagMillis(Math.max(60_000L, (long) (20_000 * settings.speedup())));
        for (Map.Entry<String, String> e : placement.entrySet()) {
            StareClient client = fabric.vnf(e.getValue(), vnfName(e.getKey()));
            AreaVnf vnf = new AreaVnf(e.getKey(), e.getValue(), client,
                    TrajectoryTracker.forArea(map, e.getKey(), trackerSettings));
            vnfs.put(e.getKey(), vnf);
            stateIds.put(e.getKey(), fabric.await(client.declare(STATE_PREFIX + e.getKey())));
        }
        for (AreaVnf vnf : vnfs.values()) {
            for (String neighbour : map.neighbours(vnf.area)) {
                fabric.await(vnf.client.subscribe(STATE_PREFIX + neighbour, ScanReport.CODEC, vnf));
            }
        }
        for (AreaVnf vnf : vnfs.values()) {
            for (String neighbour : map.neighbours(vnf.area)) {
                fabric.awaitRoute(stateIds.get(neighbour), vnfs.get(neighbour).host, vnf.host);
            }
        }
        agents.putAll(fabric.agents());
        if (settings.loss() > 0) {
            for (FabricLink link : fabric.links()) {
                link.loss(settings.loss());
            }
        }
    }

    private ActorSystem<?> system() {
        return fabric.system();
    }

    // ---- the driver -------------------------------------------------------------------------

    private void drive() {
        try {
            long periodMillis = settings.period().toMillis();
            long total = settings.duration().map(d -> (long) (d.toMillis() * settings.speedup()) + 2 * periodMillis)
                    .orElse(Long.MAX_VALUE);
            long chunkStart = scenarioStart;
            long chunk = 0;
            while (!stopping.get() && chunkStart - scenarioStart < total) {
                long length = Math.max(4 * periodMillis, Math.min(CHUNK_MILLIS, total - (chunkStart - scenarioStart)));
                MobilityFixture.Config defaults = MobilityFixture.Config.defaults(settings.seed() + chunk);
                MobilityFixture fixture = MobilityFixture.generate(new MobilityFixture.Config(
                        settings.seed() + chunk, settings.map(), settings.devices(), chunkStart, length, periodMillis,
                        defaults.minSpeed(), defaults.maxSpeed(), Math.max(defaults.minDwellMillis(), periodMillis),
                        Math.max(defaults.maxDwellMillis(), periodMillis), defaults.minEntries(),
                        defaults.maxEntries(), defaults.backgroundPerArea(), defaults.rssiNoiseDb()));
                synchronized (allTrips) {
                    for (MobilityFixture.Trip trip : fixture.trips()) {
                        truth.computeIfAbsent(trip.device(), d -> new ArrayList<>()).add(trip);
                        allTrips.add(trip);
                    }
                }
                for (ScanReport report : fixture.reports()) {
                    if (!sleepUntil(report.reportTime())) {
                        return;
                    }
                    publish(report);
                }
                chunkStart += length + 1; // the next chunk's first scan comes after this one's last
                chunk++;
            }
        } catch (InterruptedException e) {
            if (!stopping.get()) {
                driverFailure = e;
            }
        } catch (RuntimeException | Error e) {
            driverFailure = e;
        }
    }

    /** Sleeps until the scenario clock reaches {@code scenarioMillis}; false when stopping. */
    private boolean sleepUntil(long scenarioMillis) throws InterruptedException {
        long dueNanos = wallStartNanos + (long) ((scenarioMillis - scenarioStart) * 1_000_000.0 / settings.speedup());
        while (!stopping.get()) {
            long wait = dueNanos - System.nanoTime();
            if (wait <= 0) {
                scenarioNow = Math.max(scenarioNow, scenarioMillis);
                return true;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, 100_000_000L));
        }
        return false;
    }

    private void publish(ScanReport report) {
        AreaVnf vnf = vnfs.get(report.area());
        CompletionStage<PublishResult> result = vnf.client.publish(STATE_PREFIX + report.area(), report,
                ScanReport.CODEC);
        vnf.accept(report);
        result.whenComplete((r, error) -> {
            if (r instanceof PublishResult.Published) {
                vnf.published.incrementAndGet();
            } else {
                vnf.refused.incrementAndGet();
            }
        });
    }

    private void record(Trajectory t) {
        String key = t.device() + '|' + t.from() + '|' + t.to() + '|' + t.leftAt();
        inferred.computeIfAbsent(key, k -> new Inferred(t, match(t)));
    }

    /** The device's true trip whose walk lies within the inferred one (the closest departure). */
    private Optional<MobilityFixture.Trip> match(Trajectory t) {
        List<MobilityFixture.Trip> trips;
        synchronized (allTrips) {
            trips = List.copyOf(truth.getOrDefault(t.device(), List.of()));
        }
        return trips.stream()
                .filter(trip -> trip.departure() >= t.leftAt() && trip.arrival() <= t.arrivedAt())
                .min(Comparator.comparingLong(trip -> trip.departure() - t.leftAt()));
    }

    // ---- what it shows ----------------------------------------------------------------------

    /** The settings it runs with. */
    public Settings settings() {
        return settings;
    }

    /** The fabric it runs on. */
    public LocalFabric fabric() {
        return fabric;
    }

    /** The state ID of each area's state. */
    public Map<String, Integer> stateIds() {
        return Map.copyOf(stateIds);
    }

    /** Where each area's VNF runs. */
    public Map<String, String> hosts() {
        Map<String, String> hosts = new LinkedHashMap<>();
        vnfs.forEach((area, vnf) -> hosts.put(area, vnf.host));
        return hosts;
    }

    /** Whether the driver failed (and why). */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(driverFailure);
    }

    /** The distinct trajectories inferred so far, by departure. */
    public List<Inferred> trajectories() {
        return inferred.values().stream()
                .sorted(Comparator.comparingLong((Inferred i) -> i.trajectory().leftAt())
                        .thenComparing(i -> i.trajectory().device()))
                .toList();
    }

    /** The counters now; asks the middlewares, the controller and the agents (bounded waits). */
    public Snapshot snapshot() {
        Map<String, Middleware.Stats> stats = join(middlewareStats(), Map.of());
        List<VnfRow> rows = new ArrayList<>();
        for (AreaVnf vnf : vnfs.values()) {
            rows.add(new VnfRow(vnf.client.name(), vnf.host, vnf.area, vnf.published.get(), vnf.refused.get(),
                    vnf.delivered.get(), vnf.lost.get(), vnf.tracked(), vnf.trajectories.get()));
        }
        List<Inferred> all = List.copyOf(inferred.values());
        long correct = all.stream().filter(Inferred::correct).count();
        double speedError = all.stream().filter(i -> i.truth().isPresent())
                .mapToDouble(i -> Math.abs(i.trajectory().speed() - i.truth().get().speed()) / i.truth().get().speed())
                .average().orElse(0);
        long now = scenarioNow;
        long trueTrips;
        synchronized (allTrips) {
            trueTrips = allTrips.stream().filter(t -> t.arrival() <= now).count();
        }
        long dropped = fabric.links().stream().mapToLong(FabricLink::dropped).sum();
        Map<String, Integer> backlogs = new LinkedHashMap<>();
        join(backlogs(), Map.<String, StateBacklog.Status>of()).forEach((area, status) ->
                backlogs.put(area, status == null ? -1 : status.updates()));
        Map<String, Map<String, Integer>> ports = new LinkedHashMap<>();
        for (String sw : fabric.switches().keySet()) {
            Map<String, Integer> perState = new LinkedHashMap<>();
            stateIds.forEach((area, id) -> {
                int n = PortMask.ports(fabric.statePorts(sw, id)).size();
                if (n > 0) {
                    perState.put(STATE_PREFIX + area, n);
                }
            });
            ports.put(sw, perState);
        }
        Map<String, Integer> agentStates = new LinkedHashMap<>();
        Map<String, AgentView> views = join(agentViews(), Map.of());
        for (String sw : fabric.switches().keySet()) {
            AgentView view = views.get(sw);
            agentStates.put(sw, view == null ? -1 : view.subscriptions().size());
        }
        long nanos = System.nanoTime() - wallStartNanos;
        return new Snapshot(Duration.ofNanos(nanos), Duration.ofMillis(now - scenarioStart), rows, all.size(), correct,
                speedError, trueTrips,
                stats.values().stream().mapToLong(Middleware.Stats::recoverRequests).sum(),
                stats.values().stream().mapToLong(Middleware.Stats::recoveredSegments).sum(),
                stats.values().stream().mapToLong(Middleware.Stats::unrecoverableUpdates).sum(),
                dropped, backlogs, ports, agentStates, stats);
    }

    /** Every middleware's counters, by host. */
    public CompletionStage<Map<String, Middleware.Stats>> middlewareStats() {
        Map<String, CompletableFuture<Middleware.Stats>> asks = new LinkedHashMap<>();
        for (Topology.Host host : fabric.topology().hosts()) {
            asks.put(host.name(), AskPattern.<Middleware.Command, Middleware.Stats>ask(fabric.middleware(host.name()),
                    Middleware.GetStats::new, Duration.ofSeconds(5), system().scheduler()).toCompletableFuture());
        }
        return all(asks).thenApply(stats -> {
            Map<String, Middleware.Stats> present = new LinkedHashMap<>();
            stats.forEach((host, s) -> {
                if (s != null) {
                    present.put(host, s);
                }
            });
            return present;
        });
    }

    /** Every area's backlog status, by area (null where the controller did not answer). */
    public CompletionStage<Map<String, StateBacklog.Status>> backlogs() {
        Map<String, CompletableFuture<StateBacklog.Status>> asks = new LinkedHashMap<>();
        stateIds.forEach((area, id) -> asks.put(area, AskPattern.<ReplicaController.Command, StateBacklog.Status>ask(
                        fabric.controller(), replyTo -> new ReplicaController.GetBacklogStatus(id, replyTo),
                        Duration.ofSeconds(5), system().scheduler()).toCompletableFuture()
                .exceptionally(error -> null)));
        return all(asks);
    }

    /** Every switch agent's view, by switch. */
    public CompletionStage<Map<String, AgentView>> agentViews() {
        Map<String, CompletableFuture<AgentView>> asks = new LinkedHashMap<>();
        agents.forEach((sw, ref) -> asks.put(sw, AskPattern.<SwitchAgent.Command, AgentView>ask(ref,
                SwitchAgent.GetView::new, Duration.ofSeconds(5), system().scheduler()).toCompletableFuture()));
        return all(asks).thenApply(views -> {
            Map<String, AgentView> present = new LinkedHashMap<>();
            views.forEach((sw, view) -> {
                if (view != null) {
                    present.put(sw, view);
                }
            });
            return present;
        });
    }

    private static final MetricFamilies<VnfRow> VNF_METRICS = new MetricFamilies<VnfRow>("vnf")
            .counter("stare_demo_publishes_total", "scan reports this VNF published", VnfRow::published)
            .counter("stare_demo_publishes_refused_total", "scan reports the middleware refused", VnfRow::refused)
            .counter("stare_demo_deliveries_total", "neighbours' scan reports this VNF received", VnfRow::delivered)
            .counter("stare_demo_lost_updates_total", "neighbours' scan reports lost for good", VnfRow::lost)
            .gauge("stare_demo_devices_tracked", "devices this VNF's tracker follows", VnfRow::tracked)
            .counter("stare_demo_trajectories_total", "trajectories this VNF inferred", VnfRow::trajectories);

    private static final MetricFamilies<Snapshot> DEMO_METRICS = new MetricFamilies<Snapshot>("demo")
            .counter("stare_demo_distinct_trajectories_total", "distinct trajectories inferred by the VNFs",
                    Snapshot::trajectories)
            .counter("stare_demo_correct_trajectories_total", "inferred trajectories whose direction matches the truth",
                    Snapshot::correct)
            .counter("stare_demo_link_dropped_total", "packets the fabric's links dropped (injected loss)",
                    Snapshot::dropped);

    private static final MetricFamilies<Integer> BACKLOG_METRICS = new MetricFamilies<Integer>("state")
            .gauge("stare_demo_backlog_updates", "updates the state's backlog holds", v -> v);

    private static final MetricFamilies<Map<String, Integer>> SWITCH_METRICS =
            new MetricFamilies<Map<String, Integer>>("switch")
                    .gauge("stare_demo_switch_subscribed_states", "demo states the switch forwards to a subscriber",
                            Map::size)
                    .gauge("stare_demo_switch_subscriber_ports", "(state, port) pairs the switch forwards the demo's "
                            + "states to", m -> m.values().stream().mapToInt(Integer::intValue).sum());

    /**
     * The Prometheus text of the demo: its own counters (per VNF, per state's backlog, per switch),
     * the middlewares' ({@code stare_middleware_*}, labelled {@code server}) and the agents'
     * ({@code stare_agent_*}, labelled {@code switch}).
     */
    public CompletionStage<MetricSnapshots> metrics() {
        return CompletableFuture.supplyAsync(this::snapshot).thenCombine(agentViews(), (s, views) -> {
            Map<String, VnfRow> rows = new LinkedHashMap<>();
            s.vnfs().forEach(r -> rows.put(r.name(), r));
            Map<String, Integer> backlogs = new LinkedHashMap<>();
            s.backlogs().forEach((area, n) -> backlogs.put(STATE_PREFIX + area, n));
            return Exposition.merge(VNF_METRICS.snapshots(rows), DEMO_METRICS.snapshots(Map.of("mobility", s)),
                    BACKLOG_METRICS.snapshots(backlogs), SWITCH_METRICS.snapshots(s.subscriberPorts()),
                    MiddlewareMetrics.snapshots(s.middlewares()), AgentMetrics.snapshots(views));
        });
    }

    private static <T> CompletionStage<Map<String, T>> all(Map<String, CompletableFuture<T>> asks) {
        return CompletableFuture.allOf(asks.values().stream()
                        .map(f -> f.exceptionally(error -> null)).toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    Map<String, T> out = new LinkedHashMap<>();
                    asks.forEach((key, f) -> out.put(key, f.isCompletedExceptionally() ? null : f.join()));
                    return out;
                });
    }

    private static <T> T join(CompletionStage<T> stage, T otherwise) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return otherwise;
        }
    }

    // ---- stopping ---------------------------------------------------------------------------

    /**
     * Stops the driver, waits a moment for the updates in flight (and their recovery), flushes the
     * trackers and returns the final counters. The fabric keeps running until {@link #close()}.
     */
    public Snapshot finish(Duration settle) throws InterruptedException {
        stopping.set(true);
        driver.interrupt();
        driver.join(TimeUnit.SECONDS.toMillis(10));
        Thread.sleep(settle.toMillis());
        for (AreaVnf vnf : vnfs.values()) {
            vnf.flush();
        }
        return snapshot();
    }

    /** Stops the driver and the fabric. */
    @Override
    public void close() {
        stopping.set(true);
        driver.interrupt();
        fabric.close();
    }
}
