package io.stare.deploy;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the stare tool in this JVM, through its real entry point, as the command tests drive it.
 *
 * @param exitCode what the process would exit with
 * @param out what it printed on standard output
 * @param err what it printed on standard error
 */
public record Cli(int exitCode, String out, String err) {

    /** Runs {@code stare ARGS...} and captures both streams. */
    public static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StareCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Cli(code, out.toString(), err.toString());
    }
}
