package io.stare.bench.cli;

import io.stare.deploy.StareCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code stare bench}: the evaluation's benchmarks, each printing its figures. Its jar
 * ({@code bench/target/stare-bench.jar}, which the {@code stare} launcher runs for
 * {@code stare bench ...}) is the whole tool with this command added, so that the shipped
 * {@code stare.jar} carries no benchmark or broker client.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark and print its figures (see docs/evaluation.md, which links every "
                + "benchmark's own page).",
        subcommands = {RulesCommand.class, BacklogCommand.class, Table4Command.class, LatencyCommand.class,
                JmhCommand.class, ScaleCommand.class, FaultsCommand.class, TlsCostCommand.class, StateCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** The bench jar's entry point: {@code stare} with {@code bench} among its commands. */
    public static void main(String[] args) {
        StareCommand.launch(args, new BenchCommand());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
