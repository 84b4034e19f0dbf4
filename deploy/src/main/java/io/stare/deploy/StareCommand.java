package io.stare.deploy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.stare.deploy.agent.AgentCommand;
import io.stare.deploy.cli.UserInputException;
import io.stare.deploy.config.ConfigCommand;
import io.stare.deploy.controller.ControllerCommand;
import io.stare.deploy.demo.DemoCommand;
import io.stare.deploy.middleware.MiddlewareCommand;
import io.stare.deploy.softswitch.SoftSwitchCommand;
import io.stare.deploy.topology.TopologyCommand;
import io.stare.deploy.tls.TlsCommand;
import io.stare.deploy.vnf.TokenCommand;
import io.stare.deploy.vnf.VnfCommand;
import io.stare.deploy.wire.WireCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code stare} tool: one command with a subcommand per role. The launcher script at the
 * repository root builds this jar on first use and runs it. {@code stare bench} is not in this jar:
 * the benchmarks and the broker clients they compare against live in {@code stare-bench}, whose
 * jar runs this same tool with the bench command added ({@link #launch(String[], Object...)}).
 */
@Command(name = "stare",
        mixinStandardHelpOptions = true,
        versionProvider = StareCommand.Version.class,
        description = "STARE: state replication between VNFs through programmable switches.",
        subcommands = {DemoCommand.class, WireCommand.class, TopologyCommand.class, SoftSwitchCommand.class,
                AgentCommand.class, ControllerCommand.class, MiddlewareCommand.class, VnfCommand.class,
                TokenCommand.class, TlsCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class})
public final class StareCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--config", paramLabel = "FILE",
            description = "a HOCON file of settings for every role (the keys of the modules' reference.conf, "
                    + "e.g. stare.middleware.mtu = 9000); it wins over the built-in defaults and the STARE_* "
                    + "environment variables they read, and a command's flags win over it. 'stare config show' "
                    + "prints the result.")
    private Path configFile;

    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) {
        launch(args);
    }

    /**
     * Runs the tool as a process (the common pool sized, logging initialised, the exit code as the
     * process's), with {@code moreSubcommands} (picocli command objects) beside the built-in ones.
     */
    public static void launch(String[] args, Object... moreSubcommands) {
        // Pekko's Java ask and pipeToSelf continue on the common pool; with its parallelism at 1 (any
        // machine under 3 cores) CompletableFuture starts a thread per continuation instead. Our hot
        // paths avoid that (InlineExecutor); this covers the rest. It must be set before first use.
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() < 3) {
            System.setProperty(COMMON_POOL_PARALLELISM, "2");
        }
        // Initialise logging before any thread logs, so SLF4J has nothing to replay.
        org.slf4j.LoggerFactory.getLogger(StareCommand.class);
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), moreSubcommands));
    }

    /**
     * Runs the tool with the given streams and returns its exit code (for tests and embedding);
     * {@code moreSubcommands} (picocli command objects) join the built-in ones.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Object... moreSubcommands) {
        CommandLine cli = new CommandLine(new StareCommand());
        for (Object subcommand : moreSubcommands) {
            cli.addSubcommand(subcommand);
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler(StareCommand::onBadArguments);
        cli.setExecutionExceptionHandler(StareCommand::onFailure);
        cli.setExecutionStrategy(parseResult -> {
            Path file = ((StareCommand) cli.getCommand()).configFile;
            String previous = System.getProperty("config.file");
            try {
                if (file != null) {
                    useConfigFile(file);
                }
                return new CommandLine.RunLast().execute(parseResult);
            } catch (UserInputException e) {
                err.println("stare: " + e.getMessage());
                err.flush();
                return UserInputException.EXIT_CODE;
            } finally {
                if (file != null) {
                    if (previous == null) {
                        System.clearProperty("config.file");
                    } else {
                        System.setProperty("config.file", previous);
                    }
                    ConfigFactory.invalidateCaches();
                }
            }
        });
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

    /**
     * Makes every configuration loaded from now on read {@code file} on top of the tool's own
     * application.conf (which the file must not replace: it carries settings the shaded jar needs).
     */
    private static void useConfigFile(Path file) {
        Path absolute = file.toAbsolutePath();
        if (!Files.isRegularFile(absolute) || !Files.isReadable(absolute)) {
            throw new UserInputException("cannot read config file " + file);
        }
        try {
            ConfigFactory.parseFile(absolute.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new UserInputException("config file " + e.getMessage());
        }
        try {
            Path combined = Files.createTempFile("stare-config-", ".conf");
            combined.toFile().deleteOnExit();
            String quoted = absolute.toString().replace("\\", "\\\\").replace("\"", "\\\"");
            Files.writeString(combined, "include classpath(\"application.conf\")\ninclude file(\"" + quoted + "\")\n");
            System.setProperty("config.file", combined.toString());
            ConfigFactory.invalidateCaches();
        } catch (IOException e) {
            throw new UserInputException("cannot prepare the configuration: " + e.getMessage());
        }
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
