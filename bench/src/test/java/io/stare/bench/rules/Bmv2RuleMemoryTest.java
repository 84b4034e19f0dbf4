package io.stare.bench.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The BMv2 column of Table III: the pure parts always, the measurement itself where BMv2 can run
 * (Linux, root, {@code ip}, {@code python3}, {@code simple_switch_grpc} on PATH or named by
 * {@code STARE_BMV2}); skipped with the reason elsewhere. Figures are printed, never asserted as
 * targets: only that every rule was installed and the readings are sane.
 */
class Bmv2RuleMemoryTest {

    @Test
    void theRssIsReadBeforeTheFirstRuleAfterEveryStepAndAtTheEnd() {
        assertEquals(List.of(0, 100, 200, 250), new Bmv2RuleMemory.Settings(250, 100, 1, Duration.ZERO).readings());
        assertEquals(21, Bmv2RuleMemory.Settings.defaults().readings().size());
        assertEquals(2_000, Bmv2RuleMemory.Settings.defaults().readings().get(20));
    }

    @Test
    void refusesSettingsTheRegisterProgramCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> new Bmv2RuleMemory.Settings(2_049, 100, 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Bmv2RuleMemory.Settings(1, 1, 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Bmv2RuleMemory.Settings(100, 0, 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Bmv2RuleMemory.Settings(100, 101, 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Bmv2RuleMemory.Settings(100, 10, 0, Duration.ZERO));
    }

    @Test
    void theCurveIsTheMeanOfTheRunsAndItsSlopeIsBytesPerRule() {
        var settings = new Bmv2RuleMemory.Settings(200, 100, 2, Duration.ZERO);
        // Two runs of 100 B and 140 B per rule from different baselines: the mean grows 120 B per rule.
        Bmv2RuleMemory.Curve curve = Bmv2RuleMemory.curve(Bmv2RuleMemory.Mode.EMBEDDED, settings, List.of(
                new long[] {1_000_000, 1_010_000, 1_020_000},
                new long[] {2_000_000, 2_014_000, 2_028_000}));
        assertEquals(120.0, curve.fit().slope(), 1e-9);
        assertEquals(List.of(100.0, 140.0), curve.runSlopes().stream().map(s -> Math.rint(s * 1e6) / 1e6).toList());
        assertEquals(1_500_000, curve.baselineBytes(), 1e-6);
        assertEquals(24_000, curve.growthBytes(), 1e-6);
    }

    @Test
    void theReportPrintsEachModeBesideThePaper() {
        var settings = new Bmv2RuleMemory.Settings(200, 100, 1, Duration.ZERO);
        var register = Bmv2RuleMemory.curve(Bmv2RuleMemory.Mode.REGISTER, settings,
                List.<long[]>of(new long[] {40 << 20, 40 << 20, (40 << 20) + 4096}));
        var control = Bmv2RuleMemory.curve(Bmv2RuleMemory.Mode.REGISTER_CONTROL, settings,
                List.<long[]>of(new long[] {40 << 20, 40 << 20, 40 << 20}));
        var embedded = Bmv2RuleMemory.curve(Bmv2RuleMemory.Mode.EMBEDDED, settings,
                List.<long[]>of(new long[] {41 << 20, (41 << 20) + 20_480, (41 << 20) + 36_864}));
        StringWriter out = new StringWriter();
        Bmv2RuleMemoryReport.print(new Bmv2RuleMemory.Result(settings, Path.of("/opt/bmv2/simple_switch_grpc"),
                List.of(register, control, embedded)), new PrintWriter(out));
        String text = out.toString();
        assertTrue(text.contains("| register-based | 20.5 B |"), text);
        assertTrue(text.contains("| embedded controller | 184.3 B |"), text);
        assertTrue(text.contains("| 119 B |") && text.contains("| 184 B |"), text);
        // The control has no paper figure: it is ours, to tell frame processing from rules.
        assertTrue(text.contains("| register-based control (same frames, no rule) | 0.0 B |") && text.contains("| - |"), text);
    }

    @Test
    void withoutBmv2TheMeasurementRefusesWithTheReason() {
        Optional<String> unavailable = Bmv2RuleMemory.unavailable();
        assumeFalse(unavailable.isEmpty(), "BMv2 can run here: the refusal is not exercised");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Bmv2RuleMemory.measure(new Bmv2RuleMemory.Settings(10, 5, 1, Duration.ZERO), line -> { }));
        assertEquals(unavailable.get(), e.getMessage());
        assertTrue(e.getMessage().startsWith("BMv2") && (e.getMessage().contains("STARE_BMV2")
                || e.getMessage().contains("missing")), e.getMessage());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void measuresBmv2sResidentMemoryPerRuleInBothModesAndTheControl() throws Exception {
        Optional<String> unavailable = Bmv2RuleMemory.unavailable();
        assumeTrue(unavailable.isEmpty(), () -> "BMv2 rule-memory measurement skipped: " + unavailable.get());
        var settings = new Bmv2RuleMemory.Settings(200, 50, 1, Duration.ofMillis(100));
        Bmv2RuleMemory.Result result = Bmv2RuleMemory.measure(settings, System.out::println);
        assertEquals(List.of(Bmv2RuleMemory.Mode.values()), result.curves().stream().map(Bmv2RuleMemory.Curve::mode).toList());
        for (Bmv2RuleMemory.Curve curve : result.curves()) {
            assertEquals(List.of(0, 50, 100, 150, 200), curve.readings().stream().map(Bmv2RuleMemory.Reading::rules).toList());
            assertTrue(curve.baselineBytes() > 1 << 20, "BMv2 with a pipeline has more than 1 MiB resident: " + curve);
            assertTrue(Double.isFinite(curve.fit().slope()), curve.toString());
        }
        StringWriter out = new StringWriter();
        Bmv2RuleMemoryReport.print(result, new PrintWriter(out));
        System.out.print(out);
    }
}
