package io.stare.actors.observability;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A role's metric families, declared once and read from its sources at each scrape into the
 * Prometheus Java client's snapshots (one data point per labelled source); {@link Exposition}
 * writes them. Plain Java: endpoints only serve the result.
 *
 * @param <S> what a sample is read from (a middleware's stats, a backlog's status...)
 */
public final class MetricFamilies<S> {

    private static final String TOTAL = "_total";

    private record Family<S>(String name, boolean counter, String help, ToDoubleFunction<S> value) {
    }

    private final String label;
    private final List<Family<S>> families = new ArrayList<>();

    /** @param label the label that tells the sources apart ({@code server}, {@code state}...) */
    public MetricFamilies(String label) {
        this.label = label;
    }

    /** A value that only grows; the name ends in {@code _total}, as it is exposed. */
    public MetricFamilies<S> counter(String name, String help, ToDoubleFunction<S> value) {
        if (!name.endsWith(TOTAL)) {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        // The client's model names a counter without the suffix; its writers add it back.
        families.add(new Family<>(name.substring(0, name.length() - TOTAL.length()), true, help, value));
        return this;
    }

    /** A value that goes up and down. */
    public MetricFamilies<S> gauge(String name, String help, ToDoubleFunction<S> value) {
        families.add(new Family<>(name, false, help, value));
        return this;
    }

    /** One snapshot per family over these sources, keyed by label value. */
    public MetricSnapshots snapshots(Map<String, S> sources) {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (Family<S> family : families) {
            out.metricSnapshot(snapshot(family, sources));
        }
        return out.build();
    }

    private MetricSnapshot snapshot(Family<S> family, Map<String, S> sources) {
        if (family.counter()) {
            CounterSnapshot.Builder counter = CounterSnapshot.builder().name(family.name()).help(family.help());
            sources.forEach((key, source) -> counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(Labels.of(label, key)).value(family.value().applyAsDouble(source)).build()));
            return counter.build();
        }
        GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(family.name()).help(family.help());
        sources.forEach((key, source) -> gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(Labels.of(label, key)).value(family.value().applyAsDouble(source)).build()));
        return gauge.build();
    }
}
