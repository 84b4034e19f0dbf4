package io.stare.deploy.demo.tracking;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Synthetic scanner reports with known ground truth, so that the demo's inference can be checked.
 *
 * <p>The model: each area has one scanner at its centre. A <em>moving</em> device dwells in an area
 * (heard by that area's scanner at every scan during the dwell, ends included), then walks to a
 * random neighbouring area at a random speed, heard by no scanner on the way, and so on until the
 * end of the run. A trip's true departure is the end of the dwell, its arrival the start of the
 * next, and its true speed the map distance over the time between. <em>Background</em> devices
 * never move: each area has its own pool, and every report is padded with some of them up to a
 * random size between {@link Config#minEntries()} and {@link Config#maxEntries()} (the paper's 10
 * to 50). RSSI follows a log-distance path loss from a random distance to the scanner plus Gaussian
 * noise. Every sighting is stamped with its scan's time; each scanner scans every period with its
 * own random phase.
 *
 * <p>Consequently a tracker that reports departure at the last sighting and arrival at the first
 * errs by less than one period at each end: {@code departure - period < leftAt <= departure} and
 * {@code arrival <= arrivedAt < arrival + period}.
 *
 * <p>Deterministic: the same configuration (seed included) gives the same fixture.
 */
public final class MobilityFixture {

    /**
     * What to generate.
     *
     * @param seed the seed of every random choice
     * @param map the areas and their distances
     * @param devices how many moving devices, at most {@code maxEntries}
     * @param startMillis when the run starts, epoch milliseconds
     * @param durationMillis how long it runs
     * @param periodMillis the scan period (the paper's is 20 s; the demo's default 2 s)
     * @param minSpeed the slowest walk, m/s
     * @param maxSpeed the fastest walk, m/s
     * @param minDwellMillis the shortest stay in an area, at least one period (so every stay is seen)
     * @param maxDwellMillis the longest stay
     * @param minEntries the fewest sightings in a report
     * @param maxEntries the most sightings in a report
     * @param backgroundPerArea stationary devices per area, at least {@code maxEntries}
     * @param rssiNoiseDb the standard deviation of the RSSI noise, dB
     */
    public record Config(long seed, AreaMap map, int devices, long startMillis, long durationMillis,
                         long periodMillis, double minSpeed, double maxSpeed, long minDwellMillis,
                         long maxDwellMillis, int minEntries, int maxEntries, int backgroundPerArea,
                         double rssiNoiseDb) {

        public Config {
            Objects.requireNonNull(map, "map");
            require(devices >= 0 && devices <= maxEntries, "devices must be in [0, maxEntries]");
            require(startMillis >= 0, "startMillis must not be negative");
            require(periodMillis > 0, "periodMillis must be positive");
            require(durationMillis >= periodMillis, "durationMillis must be at least one period");
            require(minSpeed > 0 && maxSpeed >= minSpeed, "speeds must satisfy 0 < minSpeed <= maxSpeed");
            require(minDwellMillis >= periodMillis, "minDwellMillis must be at least one period");
            require(maxDwellMillis >= minDwellMillis, "maxDwellMillis must be at least minDwellMillis");
            require(minEntries >= 0 && maxEntries >= minEntries && maxEntries <= ScanReport.MAX_SIGHTINGS,
                    "entries must satisfy 0 <= minEntries <= maxEntries <= " + ScanReport.MAX_SIGHTINGS);
            require(backgroundPerArea >= maxEntries, "backgroundPerArea must be at least maxEntries");
            require(rssiNoiseDb >= 0, "rssiNoiseDb must not be negative");
        }

        /**
         * The paper's testbed map, 20 devices walking at 0.8 to 2.0 m/s for 30 minutes, a 2 s period,
         * stays of 10 to 60 s, reports of 10 to 50 entries, 60 background devices per area, 4 dB noise.
         */
        public static Config defaults(long seed) {
            return new Config(seed, AreaMap.paperTestbed(), 20, 1_700_000_000_000L, 30 * 60_000L, 2_000L,
                    0.8, 2.0, 10_000L, 60_000L, 10, 50, 60, 4.0);
        }

        public Config withSeed(long v) {
            return new Config(v, map, devices, startMillis, durationMillis, periodMillis, minSpeed, maxSpeed,
                    minDwellMillis, maxDwellMillis, minEntries, maxEntries, backgroundPerArea, rssiNoiseDb);
        }

        public Config withMap(AreaMap v) {
            return new Config(seed, v, devices, startMillis, durationMillis, periodMillis, minSpeed, maxSpeed,
                    minDwellMillis, maxDwellMillis, minEntries, maxEntries, backgroundPerArea, rssiNoiseDb);
        }

        public Config withDevices(int v) {
            return new Config(seed, map, v, startMillis, durationMillis, periodMillis, minSpeed, maxSpeed,
                    minDwellMillis, maxDwellMillis, minEntries, maxEntries, backgroundPerArea, rssiNoiseDb);
        }

        public Config withDurationMillis(long v) {
            return new Config(seed, map, devices, startMillis, v, periodMillis, minSpeed, maxSpeed,
                    minDwellMillis, maxDwellMillis, minEntries, maxEntries, backgroundPerArea, rssiNoiseDb);
        }

        /** A new period; the shortest stay is raised to it if needed. */
        public Config withPeriodMillis(long v) {
            long minDwell = Math.max(minDwellMillis, v);
            return new Config(seed, map, devices, startMillis, durationMillis, v, minSpeed, maxSpeed,
                    minDwell, Math.max(maxDwellMillis, minDwell), minEntries, maxEntries, backgroundPerArea,
                    rssiNoiseDb);
        }

        public Config withSpeeds(double min, double max) {
            return new Config(seed, map, devices, startMillis, durationMillis, periodMillis, min, max,
                    minDwellMillis, maxDwellMillis, minEntries, maxEntries, backgroundPerArea, rssiNoiseDb);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /**
     * A true trip.
     *
     * @param device the hashed MAC address
     * @param from the area left
     * @param to the area reached (a neighbour of {@code from})
     * @param departure the end of the stay in {@code from}
     * @param arrival the start of the stay in {@code to}
     * @param metres the map distance
     * @param speed {@code metres / (arrival - departure)}, m/s
     */
    public record Trip(String device, String from, String to, long departure, long arrival, double metres,
                       double speed) {
    }

    /** A stay of a moving device in an area, ends included, at a fixed distance from the scanner. */
    private record Stay(String device, String area, long from, long to, double metres) {
    }

    private static final String SALT = "stare-mobility-fixture";

    private final Config config;
    private final List<Trip> trips;
    private final List<ScanReport> reports;
    private final Set<String> moving;
    private final Set<String> background;

    private MobilityFixture(Config config, List<Trip> trips, List<ScanReport> reports, Set<String> moving,
                            Set<String> background) {
        this.config = config;
        this.trips = List.copyOf(trips);
        this.reports = List.copyOf(reports);
        this.moving = Collections.unmodifiableSet(moving);
        this.background = Collections.unmodifiableSet(background);
    }

    /** Generates the fixture of a configuration. */
    public static MobilityFixture generate(Config c) {
        Objects.requireNonNull(c, "config");
        Random rnd = new Random(c.seed());
        MacHasher hasher = MacHasher.withSalt(SALT);
        Set<String> used = new LinkedHashSet<>();
        List<String> areas = c.map().areas();
        long end = c.startMillis() + c.durationMillis();

        // Moving devices and their itineraries.
        Set<String> moving = new LinkedHashSet<>();
        List<Trip> trips = new ArrayList<>();
        Map<String, List<Stay>> staysByArea = new HashMap<>();
        for (int i = 0; i < c.devices(); i++) {
            String device = newDevice(rnd, hasher, used);
            moving.add(device);
            String area = areas.get(rnd.nextInt(areas.size()));
            long t = c.startMillis();
            while (true) {
                long dwell = uniform(rnd, c.minDwellMillis(), c.maxDwellMillis());
                List<String> next = List.copyOf(c.map().neighbours(area));
                long departure = t + dwell;
                String to = next.isEmpty() ? null : next.get(rnd.nextInt(next.size()));
                double speed = c.minSpeed() + rnd.nextDouble() * (c.maxSpeed() - c.minSpeed());
                double metres = to == null ? 0 : c.map().distance(area, to).orElseThrow();
                long travel = Math.max(1, Math.round(metres * 1000.0 / speed));
                long arrival = departure + travel;
                double stayMetres = 2 + rnd.nextDouble() * 38;
                if (to == null || departure > end || arrival + c.minDwellMillis() > end) {
                    staysByArea.computeIfAbsent(area, k -> new ArrayList<>())
                            .add(new Stay(device, area, t, end, stayMetres));
                    break;
                }
                staysByArea.computeIfAbsent(area, k -> new ArrayList<>())
                        .add(new Stay(device, area, t, departure, stayMetres));
                trips.add(new Trip(device, area, to, departure, arrival, metres, metres * 1000.0 / travel));
                area = to;
                t = arrival;
            }
        }
        trips.sort(Comparator.comparingLong(Trip::arrival).thenComparing(Trip::device));

        // Background devices, a pool per area, each at a fixed distance from its scanner.
        Set<String> background = new LinkedHashSet<>();
        Map<String, List<String>> pool = new HashMap<>();
        Map<String, Double> backgroundMetres = new HashMap<>();
        for (String area : areas) {
            List<String> p = new ArrayList<>();
            for (int i = 0; i < c.backgroundPerArea(); i++) {
                String device = newDevice(rnd, hasher, used);
                p.add(device);
                background.add(device);
                backgroundMetres.put(device, 2 + rnd.nextDouble() * 48);
            }
            pool.put(area, p);
        }

        // Scans.
        List<ScanReport> reports = new ArrayList<>();
        for (String area : areas) {
            long phase = (long) (rnd.nextDouble() * c.periodMillis());
            List<Stay> stays = staysByArea.getOrDefault(area, List.of());
            List<String> p = pool.get(area);
            for (long s = c.startMillis() + phase; s <= end; s += c.periodMillis()) {
                List<Sighting> seen = new ArrayList<>();
                for (Stay stay : stays) {
                    if (stay.from() <= s && s <= stay.to()) {
                        seen.add(new Sighting(stay.device(), s, rssi(rnd, stay.metres(), c.rssiNoiseDb())));
                    }
                }
                int size = Math.max(seen.size(), (int) uniform(rnd, c.minEntries(), c.maxEntries()));
                List<String> shuffled = new ArrayList<>(p);
                Collections.shuffle(shuffled, rnd);
                for (String device : shuffled.subList(0, size - seen.size())) {
                    seen.add(new Sighting(device, s, rssi(rnd, backgroundMetres.get(device), c.rssiNoiseDb())));
                }
                Collections.shuffle(seen, rnd);
                reports.add(new ScanReport(area, "scanner-" + area, s, seen));
            }
        }
        reports.sort(Comparator.comparingLong(ScanReport::reportTime).thenComparing(ScanReport::area));
        return new MobilityFixture(c, trips, reports, moving, background);
    }

    /** The configuration. */
    public Config config() {
        return config;
    }

    /** The true trips, by arrival time. */
    public List<Trip> trips() {
        return trips;
    }

    /** Every area's reports, by report time (then area): the order of a real-time run. */
    public List<ScanReport> reports() {
        return reports;
    }

    /** One area's reports, by report time: the publishes of that area's STARE state. */
    public List<ScanReport> reportsOf(String area) {
        return reports.stream().filter(r -> r.area().equals(area)).toList();
    }

    /** The moving devices. */
    public Set<String> movingDevices() {
        return moving;
    }

    /** The stationary background devices. */
    public Set<String> backgroundDevices() {
        return background;
    }

    private static String newDevice(Random rnd, MacHasher hasher, Set<String> used) {
        while (true) {
            byte[] mac = new byte[6];
            rnd.nextBytes(mac);
            mac[0] = (byte) ((mac[0] & 0xFC) | 0x02); // unicast, locally administered: a randomised phone MAC
            String h = hasher.hash(mac);
            if (used.add(h)) {
                return h;
            }
        }
    }

    private static long uniform(Random rnd, long min, long max) {
        return min + (long) (rnd.nextDouble() * (max - min + 1));
    }

    /** Log-distance path loss: -40 dBm at 1 m, exponent 2.7, plus noise; clamped to [-100, -20]. */
    private static int rssi(Random rnd, double metres, double noiseDb) {
        double db = -40 - 27 * Math.log10(Math.max(1, metres)) + rnd.nextGaussian() * noiseDb;
        return (int) Math.max(-100, Math.min(-20, Math.round(db)));
    }
}
