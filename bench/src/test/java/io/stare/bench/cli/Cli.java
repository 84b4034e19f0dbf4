package io.stare.bench.cli;

import io.stare.deploy.StareCommand;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the bench jar's tool ({@code stare} with {@code bench}) in this JVM, through its real
 * entry point.
 *
 * @param exitCode what the process would exit with
 * @param out what it printed on standard output
 * @param err what it printed on standard error
 */
record Cli(int exitCode, String out, String err) {

    /** Runs {@code stare ARGS...} with the bench command and captures both streams. */
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StareCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true), new BenchCommand());
        return new Cli(code, out.toString(), err.toString());
    }
}
