package io.stare.actors.observability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Writes metrics in the Prometheus text exposition format (version 0.0.4): each metric's HELP and
 * TYPE once, then one sample per labelled source. Plain Java; endpoints only serve its output.
 *
 * @param <S> what a sample is read from (a middleware's stats, a backlog's status...)
 */
public final class PrometheusText<S> {

    /** The content type of the format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private record Metric<S>(String name, String type, String help, ToDoubleFunction<S> value) {
    }

    private final String label;
    private final List<Metric<S>> metrics = new ArrayList<>();

    /** @param label the label that tells the sources apart ({@code server}, {@code state}...) */
    public PrometheusText(String label) {
        this.label = label;
    }

    /** A value that only grows; the name should end in {@code _total}. */
    public PrometheusText<S> counter(String name, String help, ToDoubleFunction<S> value) {
        metrics.add(new Metric<>(name, "counter", help, value));
        return this;
    }

    /** A value that goes up and down. */
    public PrometheusText<S> gauge(String name, String help, ToDoubleFunction<S> value) {
        metrics.add(new Metric<>(name, "gauge", help, value));
        return this;
    }

    /** The exposition text for these sources, keyed by label value, in their order. */
    public String render(Map<String, S> sources) {
        StringBuilder out = new StringBuilder();
        Map<String, S> ordered = new LinkedHashMap<>(sources);
        for (Metric<S> metric : metrics) {
            out.append("# HELP ").append(metric.name()).append(' ').append(metric.help()).append('\n');
            out.append("# TYPE ").append(metric.name()).append(' ').append(metric.type()).append('\n');
            ordered.forEach((key, source) -> out.append(metric.name()).append('{').append(label).append("=\"")
                    .append(escape(key)).append("\"} ").append(format(metric.value().applyAsDouble(source)))
                    .append('\n'));
        }
        return out.toString();
    }

    static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value) : String.format(Locale.ROOT, "%.6g", value);
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
