package io.stare.bench.cli;

import io.stare.bench.jmh.JmhRun;
import io.stare.bench.jmh.JmhSummary;
import io.stare.deploy.cli.UserInputException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.RunnerException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare bench jmh}: JMH micro-benchmarks of the VNF side (the publish codec, the receive
 * path's decode and reassembly, the publish call through a real middleware, local delivery), so we
 * know the middleware is not the bottleneck. See docs/evaluation-jmh.md.
 */
@Command(name = "jmh", mixinStandardHelpOptions = true,
        description = {"JMH micro-benchmarks of the VNF side: publish frame encoding and receive-side decoding "
                + "with reassembly (no actors), StareClient.publish through a real middleware (UDP on loopback, "
                + "no switch), and local delivery between two VNFs of one middleware; 64 B, 1 KB and 16 KB "
                + "updates; and the state API's async writes. Prints JMH's output and a summary in updates per second. See docs/evaluation-jmh.md.",
                "Each benchmark runs in one forked JVM with this JVM's classpath; the full run takes about "
                        + "5 minutes, --quick about 2."})
public final class JmhCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "1 warm-up iteration of 1 s and 2 measured iterations of 1 s per "
            + "benchmark (default: the benchmarks' own, 3 to 5 warm-up and 5 measured iterations of 1 s)")
    boolean quick;

    @Option(names = "--include", paramLabel = "REGEX",
            description = "only the benchmarks whose full name (io.stare.bench.jmh.Class.method) matches, "
                    + "anywhere in it, e.g. Encode or 'Publish.*stareClient' (default: all)")
    String include;

    @Option(names = "--json", paramLabel = "FILE", description = "also write JMH's results as JSON")
    Path json;

    @Override
    public void run() {
        if (include != null) {
            try {
                Pattern.compile(include);
            } catch (PatternSyntaxException e) {
                throw new UserInputException("--include is not a regular expression: " + e.getDescription());
            }
        }
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new UserInputException("--json " + json + ": directory " + parent + " does not exist");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        Collection<RunResult> results;
        try (PrintStream jmhOut = new PrintStream(new WriterOutputStream(out), true, StandardCharsets.UTF_8)) {
            results = JmhRun.run(new JmhRun.Options(quick, include, json), jmhOut);
        } catch (NoBenchmarksException e) {
            throw new UserInputException("--include " + include + " matches no benchmark (run without it to see all)");
        } catch (RunnerException e) {
            throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
        }
        JmhSummary.print(results, out);
        if (json != null) {
            out.println("wrote " + json);
        }
        out.flush();
    }
}
