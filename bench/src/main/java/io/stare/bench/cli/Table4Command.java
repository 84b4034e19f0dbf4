package io.stare.bench.cli;

import io.stare.bench.table4.Table4;
import io.stare.bench.table4.Table4Report;
import io.stare.deploy.cli.UserInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare bench table4}: the paper's Table IV reproduced (messages and bytes per publish to 16
 * subscribers on the 4-ary tree of 85 switches), STARE measured through its real pipelines, beside
 * the paper's numbers. See docs/evaluation-table4.md.
 */
@Command(name = "table4", mixinStandardHelpOptions = true,
        description = "Messages and bytes to deliver one publish to 16 subscribers on the paper's 4-ary tree of 85 "
                + "switches, for Unicast, Broadcast, ALM, OFM, P4 source routing and STARE (measured through the "
                + "real pipelines), beside the paper's Table IV. See docs/evaluation-table4.md.")
public final class Table4Command implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--csv", paramLabel = "FILE", description = "also write the figures as CSV")
    Path csv;

    @Option(names = "--sweep", description = "also show how the counts move from 1 subscriber to all 64 leaves")
    boolean sweep;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "64",
            description = "publish payload for the byte counts, 0..1400 (default: ${DEFAULT-VALUE})")
    int payload;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "200",
            description = "random placements on which STARE is also measured, 0..1000 (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed of the random placements")
    long seed;

    @Option(names = "--no-embedded", description = "skip the embedded-controller mode check")
    boolean noEmbedded;

    @Override
    public void run() {
        if (payload < 0 || payload > 1400) {
            throw new UserInputException("--payload " + payload + " is out of range 0..1400");
        }
        if (samples < 0 || samples > 1000) {
            throw new UserInputException("--samples " + samples + " is out of range 0..1000");
        }
        if (csv != null) {
            Path parent = csv.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new UserInputException("--csv " + csv + ": directory " + parent + " does not exist");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        Table4.Result result = Table4.compute(new Table4.Options(payload, sweep, samples, seed, !noEmbedded));
        Table4Report.print(result, out);
        if (csv != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
                Table4Report.writeCsv(result, w);
            } catch (IOException e) {
                throw new UserInputException("cannot write --csv " + csv + ": " + e.getMessage());
            }
            out.println("wrote " + csv);
            out.flush();
        }
    }
}
