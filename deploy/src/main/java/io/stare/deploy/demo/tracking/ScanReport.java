package io.stare.deploy.demo.tracking;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stare.client.StateCodec;
import java.util.List;
import java.util.Objects;

/**
 * What one WiFi scanner reports at the end of one scan period: the devices it heard since its
 * previous report. Each mobility-tracking VNF publishes its scanners' reports as its STARE state
 * (encoded with {@link #CODEC}) and subscribes to its neighbours' states.
 *
 * <p>A report at time {@code reportTime} holds sightings up to that time and none after it. The
 * {@link TrajectoryTracker} relies on each area's reports arriving in report-time order (STARE keeps
 * the order of one state's publishes).
 *
 * @param area the area (and its VNF) the scanner belongs to, as named in the {@link AreaMap}
 * @param scanner the scanner's id within its area, not blank
 * @param reportTime when the report was made, epoch milliseconds, not negative
 * @param sightings the devices heard, 0 to {@value #MAX_SIGHTINGS}, none later than {@code reportTime}
 */
public record ScanReport(String area, String scanner, long reportTime, List<Sighting> sightings) {

    /** The most sightings one report may carry (the paper's reports carry 10 to 50). */
    public static final int MAX_SIGHTINGS = 4096;

    /**
     * The JSON form, as published on STARE. Every field is required ({@code null} and missing
     * fields are refused); unknown fields are ignored so that scanners may add their own.
     * Undecodable or invalid input fails with {@link StateCodec.UndecodableException}.
     */
    public static final StateCodec<ScanReport> CODEC = StateCodec.json(ScanReport.class, new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));

    public ScanReport {
        AreaMap.checkName(Objects.requireNonNull(area, "area"));
        Objects.requireNonNull(scanner, "scanner");
        if (scanner.isBlank()) {
            throw new IllegalArgumentException("scanner must not be blank");
        }
        if (reportTime < 0) {
            throw new IllegalArgumentException("reportTime must not be negative, got " + reportTime);
        }
        Objects.requireNonNull(sightings, "sightings");
        if (sightings.size() > MAX_SIGHTINGS) {
            throw new IllegalArgumentException(
                    "a report carries at most " + MAX_SIGHTINGS + " sightings, got " + sightings.size());
        }
        sightings = List.copyOf(sightings); // refuses null elements
        for (Sighting s : sightings) {
            if (s.timestamp() > reportTime) {
                throw new IllegalArgumentException("sighting of " + s.device() + " at " + s.timestamp()
                        + " is later than its report at " + reportTime);
            }
        }
    }
}
