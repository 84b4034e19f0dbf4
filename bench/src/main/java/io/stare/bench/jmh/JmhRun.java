package io.stare.bench.jmh;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the benchmarks of this package through JMH's {@link Runner}, as {@code stare bench jmh} does.
 * Each benchmark runs in one forked JVM started with this JVM's classpath (JMH's default: inside
 * {@code stare.jar} that is the jar itself, whose {@code META-INF/BenchmarkList} names them).
 * Without {@code quick} the warm-up and measurement are the benchmarks' own annotations.
 */
public final class JmhRun {

    /** Every benchmark of this package (JMH finds the pattern anywhere in the benchmark's full name). */
    public static final String ALL = "^io\\.stare\\.bench\\.jmh\\.";

    /**
     * What to run.
     *
     * @param quick one warm-up iteration of 1 s and two measured iterations of 1 s per benchmark
     * @param include a regular expression over the benchmarks' full names ({@code Class.method})
     * @param json where JMH writes its JSON results, or null
     */
    public record Options(boolean quick, String include, Path json) {
    }

    private JmhRun() {
    }

    /** Runs the benchmarks, printing JMH's usual output to {@code out}; returns their results. */
    public static Collection<RunResult> run(Options options, PrintStream out) throws RunnerException {
        ChainedOptionsBuilder builder = new OptionsBuilder()
                .include(options.include() == null ? ALL : options.include())
                .forks(1)
                // Bytes allocated per operation (gc.alloc.rate.norm), every thread of the fork counted.
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true);
        if (options.quick()) {
            builder.warmupIterations(1).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(2).measurementTime(TimeValue.seconds(1));
        }
        if (options.json() != null) {
            builder.resultFormat(ResultFormatType.JSON).result(options.json().toString());
        }
        builder.timeUnit(TimeUnit.SECONDS);
        return new Runner(builder.build(), OutputFormatFactory.createFormatInstance(out, VerboseMode.NORMAL)).run();
    }
}
