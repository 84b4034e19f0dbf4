package io.stare.deploy.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code stare bench}: the evaluation's benchmarks, each printing its figures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark and print its figures (see docs/evaluation.md, which links every "
                + "benchmark's own page).",
        subcommands = {RulesCommand.class, BacklogCommand.class, Table4Command.class, LatencyCommand.class,
                JmhCommand.class, ScaleCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
