package io.stare.deploy;

import io.stare.deploy.agent.AgentCommand;
import io.stare.deploy.bench.BenchCommand;
import io.stare.deploy.controller.ControllerCommand;
import io.stare.deploy.demo.DemoCommand;
import io.stare.deploy.softswitch.SoftSwitchCommand;
import io.stare.deploy.topology.TopologyCommand;
import io.stare.deploy.wire.WireCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code stare} tool: one command with a subcommand per role. The launcher script at the
 * repository root builds this jar on first use and runs it.
 */
@Command(name = "stare",
        mixinStandardHelpOptions = true,
        versionProvider = StareCommand.Version.class,
        description = "STARE: state replication between VNFs through programmable switches.",
        subcommands = {DemoCommand.class, WireCommand.class, TopologyCommand.class, SoftSwitchCommand.class,
                AgentCommand.class, ControllerCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class StareCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Initialise logging before any thread logs, so SLF4J has nothing to replay.
        org.slf4j.LoggerFactory.getLogger(StareCommand.class);
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the tool with the given streams and returns its exit code (for tests and embedding). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new StareCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler(StareCommand::onBadArguments);
        cli.setExecutionExceptionHandler(StareCommand::onFailure);
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Bad flags or arguments: one line saying what is wrong and where to look, no usage dump. */
    private static int onBadArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("stare: " + e.getMessage() + " (try '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** A command that failed: one line for input the user can fix, a stack trace only for our bugs. */
    private static int onFailure(Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        if (e instanceof UserInputException) {
            err.println("stare: " + e.getMessage());
            err.flush();
            return UserInputException.EXIT_CODE;
        }
        err.println("stare: internal error: " + e);
        e.printStackTrace(err);
        err.flush();
        return cmd.getCommandSpec().exitCodeOnExecutionException();
    }

    /** Reports the version the jar was built as. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = StareCommand.class.getPackage().getImplementationVersion();
            return new String[] {"stare " + (version == null ? "(development build)" : version)};
        }
    }
}
