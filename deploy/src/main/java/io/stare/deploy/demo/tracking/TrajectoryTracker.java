package io.stare.deploy.demo.tracking;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Infers trajectories from the scan reports of a set of areas: when a device last seen in area x is
 * next seen in area y, it walked x&rarr;y, leaving x at its last sighting there and arriving in y at
 * its first sighting there, at {@code distance(x, y) / (arrival - departure)} metres per second.
 *
 * <p><b>Order.</b> Reports may arrive with the areas interleaved in any way, and duplicated; the
 * output is the same as if every sighting had been processed in time order. Each area's reports
 * must arrive in report-time order (STARE delivers one state's publishes in order), and a report at
 * time R holds only sightings after that area's previous report. Sightings are buffered until every
 * listened area has reported past them (the <em>watermark</em>) and are then processed in order of
 * (time, area, device). An area that falls more than {@link Settings#maxLagMillis()} behind the
 * freshest one (a silent or failed neighbour) stops holding the others back; its sightings that then
 * arrive behind the watermark are counted as late and ignored. {@link #flush()} processes everything
 * buffered (at shutdown, or at the end of a recorded run).
 *
 * <p><b>Bounds.</b> Per device the tracker keeps, for each listened area, the latest visit (first
 * and last sighting, best RSSI). A device not seen for {@link Settings#forgetAfterMillis()} is
 * forgotten and a later sighting starts afresh (no trajectory spans such a gap); at most
 * {@link Settings#maxDevices()} devices are kept, the least recently seen evicted first. The buffer
 * holds at most the sightings of {@code maxLag} of reports. Speeds above
 * {@link Settings#maxSpeed()} (including simultaneous sightings in two areas) are implausible, counted
 * and not reported.
 *
 * <p><b>Threads.</b> Not thread-safe: one owner (the area's VNF actor) calls it. It is deterministic:
 * it reads no clock, only the reports' timestamps.
 */
public final class TrajectoryTracker {

    /**
     * Tunables.
     *
     * @param forgetAfterMillis a device unseen for longer is forgotten (and no trajectory spans the gap)
     * @param maxDevices the most devices tracked at once; the least recently seen is evicted beyond
     * @param maxSpeed the highest plausible speed, metres per second
     * @param maxLagMillis how far an area may fall behind the freshest before it stops holding back
     *     the watermark; {@link Long#MAX_VALUE} waits for every area forever
     */
    public record Settings(long forgetAfterMillis, int maxDevices, double maxSpeed, long maxLagMillis) {

        /** 15 minutes, 100 000 devices, 15 m/s, 60 s. */
        public static final Settings DEFAULTS = new Settings(15 * 60_000L, 100_000, 15.0, 60_000L);

        public Settings {
            if (forgetAfterMillis <= 0) {
                throw new IllegalArgumentException("forgetAfterMillis must be positive, got " + forgetAfterMillis);
            }
            if (maxDevices <= 0) {
                throw new IllegalArgumentException("maxDevices must be positive, got " + maxDevices);
            }
            if (!(maxSpeed > 0)) {
                throw new IllegalArgumentException("maxSpeed must be positive, got " + maxSpeed);
            }
            if (maxLagMillis < 0) {
                throw new IllegalArgumentException("maxLagMillis must not be negative, got " + maxLagMillis);
            }
        }

        public Settings withForgetAfterMillis(long v) {
            return new Settings(v, maxDevices, maxSpeed, maxLagMillis);
        }

        public Settings withMaxDevices(int v) {
            return new Settings(forgetAfterMillis, v, maxSpeed, maxLagMillis);
        }

        public Settings withMaxSpeed(double v) {
            return new Settings(forgetAfterMillis, maxDevices, v, maxLagMillis);
        }

        public Settings withMaxLagMillis(long v) {
            return new Settings(forgetAfterMillis, maxDevices, maxSpeed, v);
        }
    }

    /**
     * Counters since creation.
     *
     * @param reports reports accepted
     * @param duplicateReports reports dropped because their scanner had already reported at or after
     *     their time (duplicates and re-deliveries)
     * @param foreignReports reports from areas this tracker does not listen to, dropped
     * @param lateSightings sightings that arrived behind the watermark, dropped
     * @param sightings sightings processed
     * @param trajectories trajectories reported
     * @param implausible moves dropped for a speed above the maximum
     * @param forgotten devices forgotten after {@code forgetAfter} without a sighting
     * @param evicted devices evicted by the {@code maxDevices} cap
     * @param tracked devices tracked now
     * @param buffered sightings buffered now, waiting for the watermark
     */
    public record Stats(long reports, long duplicateReports, long foreignReports, long lateSightings,
                        long sightings, long trajectories, long implausible, long forgotten, long evicted,
                        int tracked, int buffered) {
    }

    /**
     * A device's latest visit to one area.
     *
     * @param firstSeen the visit's first sighting
     * @param lastSeen its last sighting
     * @param bestRssi its strongest signal, dBm
     */
    public record Visit(long firstSeen, long lastSeen, int bestRssi) {
    }

    /** A buffered sighting; the order is the processing order. */
    private record Key(long time, String area, String device) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(time, o.time);
            if (c == 0) {
                c = area.compareTo(o.area);
            }
            return c != 0 ? c : device.compareTo(o.device);
        }
    }

    private static final class Device {
        final Map<String, Visit> visits = new HashMap<>(4);
        String current;
        long lastSeen;
    }

    private final AreaMap map;
    private final Set<String> areas;
    private final Settings settings;
    private final Map<String, Long> latestReport = new HashMap<>();
    private final Map<String, Long> latestByScanner = new HashMap<>();
    private final TreeMap<Key, Integer> buffer = new TreeMap<>();
    /**
     * Least recently seen first: a device is moved to the end at each sighting, and sightings are
     * processed in time order, so this is also the order of last sightings.
     */
    private final LinkedHashMap<String, Device> devices = new LinkedHashMap<>();
    /** Every sighting before this time has been processed. */
    private long released = Long.MIN_VALUE;

    private long reports;
    private long duplicateReports;
    private long foreignReports;
    private long lateSightings;
    private long sightings;
    private long trajectories;
    private long implausible;
    private long forgotten;
    private long evicted;

    /** A tracker listening to the given areas of the map. */
    public TrajectoryTracker(AreaMap map, Set<String> areas, Settings settings) {
        this.map = Objects.requireNonNull(map, "map");
        this.settings = Objects.requireNonNull(settings, "settings");
        if (Objects.requireNonNull(areas, "areas").isEmpty()) {
            throw new IllegalArgumentException("a tracker listens to at least one area");
        }
        for (String a : areas) {
            if (!map.contains(a)) {
                throw new IllegalArgumentException("unknown area '" + a + "'");
            }
        }
        this.areas = Collections.unmodifiableSet(new TreeSet<>(areas));
    }

    /** The tracker of one area's VNF: it listens to its own area and to its neighbours. */
    public static TrajectoryTracker forArea(AreaMap map, String area, Settings settings) {
        return new TrajectoryTracker(map, map.neighbourhood(area), settings);
    }

    /** A tracker listening to every area of the map. */
    public static TrajectoryTracker forAllAreas(AreaMap map, Settings settings) {
        return new TrajectoryTracker(map, Set.copyOf(map.areas()), settings);
    }

    /** The areas this tracker listens to. */
    public Set<String> areas() {
        return areas;
    }

    /**
     * Takes one report and returns the trajectories it completes, in time order. They may be other
     * areas' (this report may move the watermark past sightings buffered earlier) and may be none.
     */
    public List<Trajectory> accept(ScanReport report) {
        Objects.requireNonNull(report, "report");
        if (!areas.contains(report.area())) {
            foreignReports++;
            return List.of();
        }
        String scannerKey = report.area() + '\u0000' + report.scanner();
        Long before = latestByScanner.get(scannerKey);
        if (before != null && report.reportTime() <= before) {
            duplicateReports++;
            return List.of();
        }
        latestByScanner.put(scannerKey, report.reportTime());
        reports++;
        for (Sighting s : report.sightings()) {
            if (s.timestamp() < released) {
                lateSightings++;
                continue;
            }
            buffer.merge(new Key(s.timestamp(), report.area(), s.device()), s.rssi(), Math::max);
        }
        latestReport.merge(report.area(), report.reportTime(), Math::max);
        return release(watermark());
    }

    /** Processes every buffered sighting and returns the trajectories they complete. */
    public List<Trajectory> flush() {
        if (buffer.isEmpty()) {
            return List.of();
        }
        long upTo = buffer.lastKey().time() + 1;
        return release(Math.max(upTo, released));
    }

    /** The counters. */
    public Stats stats() {
        return new Stats(reports, duplicateReports, foreignReports, lateSightings, sightings, trajectories,
                implausible, forgotten, evicted, devices.size(), buffer.size());
    }

    /** The number of devices tracked now. */
    public int trackedDevices() {
        return devices.size();
    }

    /** A device's latest visit to each listened area where it was seen, if it is tracked. */
    public Optional<Map<String, Visit>> visits(String device) {
        Device d = devices.get(device);
        return d == null ? Optional.empty() : Optional.of(Map.copyOf(d.visits));
    }

    private long watermark() {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (String a : areas) {
            long t = latestReport.getOrDefault(a, Long.MIN_VALUE);
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        if (settings.maxLagMillis() != Long.MAX_VALUE && max != Long.MIN_VALUE) {
            min = Math.max(min, max - settings.maxLagMillis());
        }
        return min;
    }

    /** Processes the buffered sightings before {@code upTo} (exclusive), in order. */
    private List<Trajectory> release(long upTo) {
        if (upTo <= released) {
            return List.of();
        }
        List<Trajectory> out = new ArrayList<>();
        Iterator<Map.Entry<Key, Integer>> it = buffer.headMap(new Key(upTo, "", ""), false).entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Integer> e = it.next();
            process(e.getKey(), e.getValue(), out);
            it.remove();
        }
        released = upTo;
        forgetOlderThan(satSub(upTo, settings.forgetAfterMillis()));
        return out;
    }

    private void process(Key k, int rssi, List<Trajectory> out) {
        sightings++;
        forgetOlderThan(satSub(k.time(), settings.forgetAfterMillis()));
        Device d = devices.remove(k.device());
        if (d == null) {
            d = new Device();
            if (devices.size() >= settings.maxDevices()) {
                Iterator<String> eldest = devices.keySet().iterator();
                eldest.next();
                eldest.remove();
                evicted++;
            }
        } else if (!d.current.equals(k.area())) {
            move(k, d, out);
        }
        Visit v = d.visits.get(k.area());
        if (v == null || !k.area().equals(d.current)) {
            v = new Visit(k.time(), k.time(), rssi);
        } else {
            v = new Visit(v.firstSeen(), k.time(), Math.max(v.bestRssi(), rssi));
        }
        d.visits.put(k.area(), v);
        d.current = k.area();
        d.lastSeen = k.time();
        devices.put(k.device(), d); // to the end: the most recently seen
    }

    /** The device, last seen in {@code d.current}, is now seen in another area. */
    private void move(Key k, Device d, List<Trajectory> out) {
        String from = d.current;
        long leftAt = d.lastSeen;
        OptionalDouble metres = map.distance(from, k.area());
        long millis = k.time() - leftAt;
        if (metres.isEmpty()) {
            return; // no walk joins the areas: nothing to infer
        }
        double speed = millis > 0 ? metres.getAsDouble() * 1000.0 / millis : Double.POSITIVE_INFINITY;
        if (speed > settings.maxSpeed()) {
            implausible++;
            return;
        }
        out.add(new Trajectory(k.device(), from, k.area(), leftAt, k.time(), metres.getAsDouble(), speed));
        trajectories++;
    }

    /** Forgets the devices last seen before {@code cutoff}; they are at the head of the access order. */
    private void forgetOlderThan(long cutoff) {
        Iterator<Device> it = devices.values().iterator();
        while (it.hasNext()) {
            Device d = it.next();
            if (d.lastSeen >= cutoff) {
                return;
            }
            it.remove();
            forgotten++;
        }
    }

    private static long satSub(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
    }
}
