package io.stare.bench.cli;

import io.stare.bench.state.StateBench;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stare bench state}: the state API's figures ({@link StateBench}); docs/state-api.md. */
@Command(name = "state", mixinStandardHelpOptions = true,
        description = "The state API: a counter's updates per second, sync against async, on each driver "
                + "(memory, and Redis and PostgreSQL where they run on loopback); getGlobal's latency against 2, 4, 8 "
                + "and 16 instances over STARE, request/reply and a central Redis, in one run. See docs/state-api.md.")
public final class StateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "short points and fewer reads: a smoke run of under a minute")
    boolean quick;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        StateBench.Settings settings = quick
                ? new StateBench.Settings(List.of("memory", "redis", "postgres"), Duration.ofSeconds(1),
                        Duration.ofSeconds(1), List.of(2, 4), 50, 100)
                : new StateBench.Settings(List.of("memory", "redis", "postgres"), Duration.ofSeconds(3),
                        Duration.ofSeconds(5), List.of(2, 4, 8, 16), 500, 100);
        try {
            StateBench.run(settings, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("stare bench state failed: " + e, e);
        }
    }
}
