package io.stare.bench.rules;

/**
 * Ordinary least squares of y on x: the slope is the figure a memory-per-rule measurement reports
 * (bytes of resident memory per installed rule), as the paper's linear regression over its
 * averaged RSS values. A straight line through many steps is used rather than (last - first) / K
 * because one allocator step (a new arena, a hash table doubling) at either end would otherwise
 * move the figure by itself.
 */
public final class LinearFit {

    /** {@code y = intercept + slope * x}, and how much of y's variance the line explains (r²). */
    public record Line(double slope, double intercept, double rSquared, int points) {
    }

    private LinearFit() {
    }

    /**
     * The least-squares line through the points {@code (x[i], y[i])}.
     *
     * @throws IllegalArgumentException for arrays of different lengths, fewer than two points, or
     *     x values all equal (no slope is defined then)
     */
    public static Line fit(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " x values but " + y.length + " y values");
        }
        int n = x.length;
        if (n < 2) {
            throw new IllegalArgumentException("a line needs at least two points, got " + n);
        }
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < n; i++) {
            meanX += x[i];
            meanY += y[i];
        }
        meanX /= n;
        meanY /= n;
        // Centred sums: RSS values are in the millions and their steps in the thousands, so the
        // textbook sum(x*y) - n*meanX*meanY form would lose the slope to cancellation.
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - meanX;
            double dy = y[i] - meanY;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        if (sxx == 0) {
            throw new IllegalArgumentException("all x values are " + meanX + ": no slope is defined");
        }
        double slope = sxy / sxx;
        // A flat y is fitted exactly by the flat line.
        double rSquared = syy == 0 ? 1.0 : (sxy * sxy) / (sxx * syy);
        return new Line(slope, meanY - slope * meanX, rSquared, n);
    }
}
