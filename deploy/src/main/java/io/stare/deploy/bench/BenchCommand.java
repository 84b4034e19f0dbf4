package io.stare.deploy.bench;

import io.stare.bench.rules.RuleMemory;
import io.stare.bench.rules.RuleMemoryReport;
import io.stare.deploy.UserInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stare bench}: the evaluation's benchmarks, each printing its figures. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark and print its figures (see docs/evaluation.md, which links every "
                + "benchmark's own page).",
        subcommands = {BenchCommand.Rules.class, BacklogCommand.class, Table4Command.class, LatencyCommand.class,
                JmhCommand.class, ScaleCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "rules", mixinStandardHelpOptions = true,
            description = "Memory per installed subscription in the software switch, both modes, beside the "
                    + "paper's Table III.")
    static final class Rules implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--states", defaultValue = "200000",
                description = "subscriptions to install, one state each (default: ${DEFAULT-VALUE})")
        int states;

        @Override
        public void run() {
            if (states < 1000 || states > 4_194_303) {
                throw new UserInputException("--states " + states + " is out of range 1000..4194303");
            }
            spec.commandLine().getOut().println("installing " + states + " subscriptions in each mode...");
            spec.commandLine().getOut().flush();
            RuleMemoryReport.print(RuleMemory.measure(states), spec.commandLine().getOut());
        }
    }
}
