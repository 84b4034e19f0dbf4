package io.stare.actors.observability;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Metrics as a scraper asks for them, written by the Prometheus Java client's exposition formats:
 * the text format 0.0.4 by default, OpenMetrics when the scraper's {@code Accept} header asks
 * (protobuf, which needs a writer this build leaves out, gets the text format).
 */
public final class Exposition {

    private static final ExpositionFormats FORMATS = ExpositionFormats.init();

    /** The written metrics and their content type. */
    public record Written(String contentType, byte[] body) {
        /** The body as text. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private Exposition() {
    }

    /** One set of snapshots out of several (families of different sources, e.g. the demo's). */
    public static MetricSnapshots merge(MetricSnapshots... parts) {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        for (MetricSnapshots part : parts) {
            for (MetricSnapshot snapshot : part) {
                all.metricSnapshot(snapshot);
            }
        }
        return all.build();
    }

    /** Writes {@code snapshots} in the format {@code accept} (an HTTP Accept header, or null) asks for. */
    public static Written write(MetricSnapshots snapshots, String accept) {
        ExpositionFormatWriter writer = FORMATS.findWriter(accept);
        if (!writer.isAvailable()) {
            // Protobuf, asked for first by Prometheus with native histograms: not on the class path.
            writer = FORMATS.getPrometheusTextFormatWriter();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, snapshots);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return new Written(writer.getContentType(), out.toByteArray());
    }

    /** The text format (0.0.4) of {@code snapshots}. */
    public static String text(MetricSnapshots snapshots) {
        return write(snapshots, null).text();
    }
}
