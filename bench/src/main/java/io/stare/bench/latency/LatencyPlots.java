package io.stare.bench.latency;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * The latency harness's PNG plots (XChart, rendered headless): per payload size, p50 and p99
 * latency by subscriber count with one line per system; and the highest sustained rate per cell.
 * Log scales, since the systems differ by orders of magnitude. Cells that did not run are gaps.
 */
public final class LatencyPlots {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;

    private LatencyPlots() {
    }

    /** Writes every plot the rows allow into {@code directory}; returns the files written. */
    public static List<Path> write(List<LatencyBenchmark.Row> rows, Path directory) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> written = new ArrayList<>();
        Set<Integer> payloads = new LinkedHashSet<>();
        rows.stream().filter(LatencyBenchmark.Row::ok).forEach(r -> payloads.add(r.payload()));
        for (int payload : payloads) {
            List<LatencyBenchmark.Row> cells = rows.stream().filter(r -> r.ok() && r.payload() == payload).toList();
            int rate = cells.get(0).rate();
            written.add(save(latencyChart(cells, "p50", LatencyBenchmark.Row::p50, payload, rate),
                    directory.resolve(String.format(Locale.ROOT, "latency-p50-%dB.png", payload))));
            written.add(save(latencyChart(cells, "p99", LatencyBenchmark.Row::p99, payload, rate),
                    directory.resolve(String.format(Locale.ROOT, "latency-p99-%dB.png", payload))));
        }
        List<LatencyBenchmark.Row> searched = rows.stream()
                .filter(r -> r.ok() && r.maxRate() != null && r.maxRate().rate() > 0).toList();
        if (!searched.isEmpty()) {
            written.add(save(maxRateChart(searched), directory.resolve("latency-max-rate.png")));
        }
        return written;
    }

    private static CategoryChart latencyChart(List<LatencyBenchmark.Row> cells, String percentile,
                                              ToDoubleFunction<LatencyBenchmark.Row> value, int payload, int rate) {
        CategoryChart chart = base(String.format(Locale.ROOT, "%s publish-to-delivery latency, %d B payload, %,d updates/s",
                percentile, payload, rate), "subscribers (N)", percentile + " latency (µs, log scale)");
        List<String> categories = new ArrayList<>();
        cells.stream().map(r -> "N=" + r.subscribers()).distinct().forEach(categories::add);
        for (String system : systems(cells)) {
            List<Double> values = new ArrayList<>();
            for (String category : categories) {
                values.add(cells.stream().filter(r -> r.system().equals(system) && category.equals("N=" + r.subscribers()))
                        .mapToDouble(value).filter(v -> v > 0).boxed().findFirst().orElse(null));
            }
            chart.addSeries(system, categories, values);
        }
        return chart;
    }

    private static CategoryChart maxRateChart(List<LatencyBenchmark.Row> cells) {
        CategoryChart chart = base("Highest rate sustained without loss", "subscribers, payload",
                "updates per second (log scale)");
        List<String> categories = new ArrayList<>();
        cells.stream().map(LatencyPlots::cellName).distinct().forEach(categories::add);
        for (String system : systems(cells)) {
            List<Double> values = new ArrayList<>();
            for (String category : categories) {
                values.add(cells.stream().filter(r -> r.system().equals(system) && category.equals(cellName(r)))
                        .map(r -> (double) r.maxRate().rate()).findFirst().orElse(null));
            }
            chart.addSeries(system, categories, values);
        }
        return chart;
    }

    private static String cellName(LatencyBenchmark.Row row) {
        return "N=" + row.subscribers() + ", " + row.payload() + " B";
    }

    private static List<String> systems(List<LatencyBenchmark.Row> cells) {
        return cells.stream().map(LatencyBenchmark.Row::system).distinct().toList();
    }

    private static CategoryChart base(String title, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        // Lines with markers, not bars: XChart draws bars from zero, which a log axis cannot show.
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(8);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setYAxisDecimalPattern("#,###.#");
        return chart;
    }

    private static Path save(CategoryChart chart, Path file) throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
