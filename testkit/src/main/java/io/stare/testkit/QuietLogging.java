package io.stare.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * The test kit's logging when the tests that use it bring no logback configuration of their own:
 * warnings and errors on standard output, one line each, so a test's output shows what went wrong
 * instead of thousands of lines of Netty and Pekko Persistence at DEBUG (logback's own default).
 * A {@code logback-test.xml} or {@code logback.xml} on the classpath, or the
 * {@code logback.configurationFile} property, wins: then this does nothing. Found by logback through
 * {@code META-INF/services}; {@code STARE_LOG_LEVEL} raises STARE's own loggers (e.g. INFO).
 */
public final class QuietLogging extends ContextAwareBase implements Configurator {

    private final Predicate<String> resourceExists;

    /** As logback instantiates it: looks for configuration files on the class path. */
    public QuietLogging() {
        this(name -> QuietLogging.class.getClassLoader().getResource(name) != null);
    }

    QuietLogging(Predicate<String> resourceExists) {
        this.resourceExists = resourceExists;
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null || resourceExists.test("logback-test.xml")
                || resourceExists.test("logback.xml")) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("stare-testkit");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        String stare = System.getenv("STARE_LOG_LEVEL");
        context.getLogger("io.stare").setLevel(Level.toLevel(stare, Level.WARN));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
