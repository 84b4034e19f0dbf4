package io.stare.deploy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.stare.deploy.cli.UserInputException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stare config show [PATH]}: the configuration every role of this tool starts from. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Show the configuration the roles start from: the built-in defaults (with the STARE_* "
                + "environment variables they read), then the file of 'stare --config FILE' (it wins over them); "
                + "a command's own flags win over both.",
        subcommands = ConfigCommand.Show.class)
public final class ConfigCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code stare config show [PATH]}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the effective settings under PATH (default: stare), in HOCON.")
    static final class Show implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "PATH", defaultValue = "stare",
                description = "a setting or section, e.g. stare.middleware or stare.persistence.store "
                        + "(default: ${DEFAULT-VALUE})")
        String path;

        @Override
        public Integer call() {
            Config config = ConfigFactory.load();
            PrintWriter out = spec.commandLine().getOut();
            try {
                if (!config.hasPathOrNull(path)) {
                    throw new UserInputException("no setting '" + path + "'");
                }
                ConfigValue value = config.getValue(path);
                ConfigRenderOptions hocon = ConfigRenderOptions.concise().setFormatted(true).setJson(false);
                if (value.valueType() == ConfigValueType.OBJECT) {
                    out.println(path + " {");
                    value.render(hocon).strip().lines().forEach(line -> out.println("  " + line));
                    out.println("}");
                } else {
                    out.println(path + " = " + value.render(hocon));
                }
            } catch (ConfigException.BadPath bad) {
                throw new UserInputException("'" + path + "' is not a setting path: " + bad.getMessage());
            }
            out.flush();
            return 0;
        }
    }
}
