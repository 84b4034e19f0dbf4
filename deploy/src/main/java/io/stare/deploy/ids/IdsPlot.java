package io.stare.deploy.ids;

import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** The IDS demo's samples as an SVG line plot: the truth, E-State's count and the baseline's. */
final class IdsPlot {

    private static final int WIDTH = 720;
    private static final int HEIGHT = 360;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;

    private IdsPlot() {
    }

    static String svg(List<IdsDemo.Sample> samples) {
        double maxX = samples.get(samples.size() - 1).seconds();
        long maxY = Math.max(1, samples.stream().mapToLong(IdsDemo.Sample::truth).max().orElse(1));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\">IDS match count seen for each flow by its "
                + "instance, summed (stare demo ids)</text>%n", LEFT));
        axis(out, maxX, maxY);
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i).instances() != samples.get(i - 1).instances()) {
                double x = x(samples.get(i - 1).seconds(), maxX);
                out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                        + "stroke=\"gray\" stroke-dasharray=\"4 4\"/>%n", x, TOP, x, HEIGHT - BOTTOM));
                out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"gray\">%s</text>%n", x + 4,
                        TOP + 14, samples.get(i).instances() > samples.get(i - 1).instances() ? "scale-out" : "scale-in"));
            }
        }
        line(out, samples, IdsDemo.Sample::truth, maxX, maxY, "black", "6", "");
        line(out, samples, IdsDemo.Sample::shared, maxX, maxY, "#1f77b4", "2", "5 3");
        line(out, samples, IdsDemo.Sample::baseline, maxX, maxY, "#d62728", "2", "");
        legend(out, 0, "ground truth", "black");
        legend(out, 1, "E-State over STARE", "#1f77b4");
        legend(out, 2, "baseline (no sharing)", "#d62728");
        out.append("</svg>\n");
        return out.toString();
    }

    private static void axis(StringBuilder out, double maxX, long maxY) {
        int bottom = HEIGHT - BOTTOM;
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT, bottom, WIDTH - RIGHT, bottom));
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT, TOP, LEFT, bottom));
        for (int i = 0; i <= 4; i++) {
            long value = maxY * i / 4;
            double y = y(value, maxY);
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n",
                    LEFT - 6, y + 4, value));
            double seconds = maxX * i / 4;
            out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f s</text>%n",
                    x(seconds, maxX), bottom + 18, seconds));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time</text>%n",
                (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 10));
    }

    private static void line(StringBuilder out, List<IdsDemo.Sample> samples, ToLongFunction<IdsDemo.Sample> value,
                             double maxX, long maxY, String color, String width, String dash) {
        out.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"").append(width)
                .append('"');
        if (!dash.isEmpty()) {
            out.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        out.append(" points=\"");
        for (IdsDemo.Sample s : samples) {
            out.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(s.seconds(), maxX), y(value.applyAsLong(s), maxY)));
        }
        out.append("\"/>\n");
    }

    private static void legend(StringBuilder out, int row, String label, String color) {
        int y = TOP + 16 + row * 16;
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                + "stroke-width=\"3\"/>%n", LEFT + 10, y - 4, LEFT + 30, y - 4, color));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + 36, y, label));
    }

    private static double x(double seconds, double maxX) {
        return LEFT + (WIDTH - LEFT - RIGHT) * (maxX == 0 ? 0 : seconds / maxX);
    }

    private static double y(long value, long maxY) {
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * ((double) value / maxY);
    }
}
