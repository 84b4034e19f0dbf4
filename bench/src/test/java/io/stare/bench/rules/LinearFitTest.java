package io.stare.bench.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LinearFitTest {

    @Test
    void anExactLineIsRecoveredWithRSquaredOne() {
        LinearFit.Line line = LinearFit.fit(new double[] {0, 100, 200, 300}, new double[] {5_000, 16_900, 28_800, 40_700});
        assertEquals(119.0, line.slope(), 1e-9);
        assertEquals(5_000, line.intercept(), 1e-6);
        assertEquals(1.0, line.rSquared(), 1e-12);
        assertEquals(4, line.points());
    }

    @Test
    void theSlopeSurvivesALargeOffsetAsRssValuesHave() {
        // 40 MiB of baseline RSS, 184 B per rule: the centred sums keep the slope exact.
        double[] x = new double[21];
        double[] y = new double[21];
        for (int i = 0; i < x.length; i++) {
            x[i] = 100.0 * i;
            y[i] = 41_943_040 + 184.0 * x[i];
        }
        assertEquals(184.0, LinearFit.fit(x, y).slope(), 1e-6);
    }

    @Test
    void noisyPointsGiveTheLeastSquaresSlope() {
        // y = 2x + noise (+1, -1, -1, +1): the symmetric noise leaves slope 2 and intercept 0.
        LinearFit.Line line = LinearFit.fit(new double[] {0, 1, 2, 3}, new double[] {1, 1, 3, 7});
        assertEquals(2.0, line.slope(), 1e-12);
        assertEquals(0.0, line.intercept(), 1e-12);
        assertTrue(line.rSquared() > 0.8 && line.rSquared() < 1, "r² " + line.rSquared());
    }

    @Test
    void aStepFunctionIsAveragedNotTakenFromItsEnds() {
        // An allocator that grows in one jump of 64 KiB halfway: the fit spreads it over the run.
        double[] x = {0, 1000, 2000, 3000, 4000};
        double[] y = {0, 0, 65_536, 65_536, 65_536};
        LinearFit.Line line = LinearFit.fit(x, y);
        assertEquals(19.6608, line.slope(), 1e-9);
    }

    @Test
    void aFlatLineHasSlopeZeroAndFitsExactly() {
        LinearFit.Line line = LinearFit.fit(new double[] {0, 1, 2}, new double[] {7, 7, 7});
        assertEquals(0.0, line.slope(), 0.0);
        assertEquals(1.0, line.rSquared(), 0.0);
    }

    @Test
    void refusesWhatHasNoSlope() {
        assertThrows(IllegalArgumentException.class, () -> LinearFit.fit(new double[] {1}, new double[] {2}));
        assertThrows(IllegalArgumentException.class, () -> LinearFit.fit(new double[] {1, 1}, new double[] {2, 3}));
        assertThrows(IllegalArgumentException.class, () -> LinearFit.fit(new double[] {1, 2}, new double[] {2}));
    }
}
