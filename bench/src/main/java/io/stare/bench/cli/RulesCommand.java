package io.stare.bench.cli;

import io.stare.bench.rules.Bmv2RuleMemory;
import io.stare.bench.rules.Bmv2RuleMemoryReport;
import io.stare.bench.rules.RuleMemory;
import io.stare.bench.rules.RuleMemoryReport;
import io.stare.deploy.cli.UserInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare bench rules}: memory per installed subscription beside the paper's Table III. The
 * software switch is always measured; with {@code --bmv2} BMv2's resident memory growth per rule
 * too, where BMv2 can run. See docs/evaluation-rules.md.
 */
@Command(name = "rules", mixinStandardHelpOptions = true,
        description = "Memory per installed subscription in the software switch, both modes, beside the paper's "
                + "Table III; with --bmv2 also BMv2's resident memory growth per rule (needs simple_switch_grpc on "
                + "PATH or named by STARE_BMV2, and root). See docs/evaluation-rules.md.")
public final class RulesCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--states", defaultValue = "200000",
            description = "software switch: subscriptions to install, one state each (default: ${DEFAULT-VALUE})")
    int states;

    @Option(names = "--bmv2", description = "also measure BMv2's RSS growth per rule in both modes")
    boolean bmv2;

    @Option(names = "--bmv2-rules", paramLabel = "K", defaultValue = "2000",
            description = "BMv2: rules to install per run, 2..2048 (the register program's states; default: ${DEFAULT-VALUE})")
    int bmv2Rules;

    @Option(names = "--bmv2-step", paramLabel = "N", defaultValue = "100",
            description = "BMv2: rules installed between two RSS readings (default: ${DEFAULT-VALUE})")
    int bmv2Step;

    @Option(names = "--bmv2-runs", paramLabel = "R", defaultValue = "3",
            description = "BMv2: runs per mode, each on a fresh switch, averaged (default: ${DEFAULT-VALUE})")
    int bmv2Runs;

    @Override
    public void run() {
        if (states < 1000 || states > 4_194_303) {
            throw new UserInputException("--states " + states + " is out of range 1000..4194303");
        }
        Bmv2RuleMemory.Settings settings = bmv2 ? bmv2Settings() : null;
        PrintWriter out = spec.commandLine().getOut();
        out.println("installing " + states + " subscriptions in each mode...");
        out.flush();
        RuleMemoryReport.print(RuleMemory.measure(states), out);
        if (settings != null) {
            out.println();
            measureBmv2(settings, out);
        }
    }

    /** The BMv2 settings from the flags, checked before the software switch's run so a typo fails fast. */
    private Bmv2RuleMemory.Settings bmv2Settings() {
        try {
            return new Bmv2RuleMemory.Settings(bmv2Rules, bmv2Step, bmv2Runs,
                    Bmv2RuleMemory.Settings.defaults().settle());
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--bmv2-*: " + e.getMessage());
        }
    }

    /**
     * BMv2's column, or one line saying why it was not measured: a machine without BMv2 is the
     * common case, not an error, so the software-switch figures above stand and the exit code is 0.
     */
    private static void measureBmv2(Bmv2RuleMemory.Settings settings, PrintWriter out) {
        Optional<String> unavailable = Bmv2RuleMemory.unavailable();
        if (unavailable.isPresent()) {
            out.println(unavailable.get() + "; the BMv2 column was not measured.");
            out.flush();
            return;
        }
        try {
            Bmv2RuleMemoryReport.print(Bmv2RuleMemory.measure(settings, line -> {
                out.println(line);
                out.flush();
            }), out);
        } catch (IOException e) {
            throw new IllegalStateException("BMv2 measurement failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("BMv2 measurement interrupted", e);
        }
    }
}
