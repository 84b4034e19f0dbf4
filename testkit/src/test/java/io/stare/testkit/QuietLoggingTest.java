package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The kit's logging default applies only where the tests bring no configuration of their own. */
class QuietLoggingTest {

    @Test
    void withoutAConfigurationWarningsGoToTheConsoleAndDebugNowhere() {
        LoggerContext context = new LoggerContext();
        assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY,
                new QuietLogging(name -> false).configure(context));
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.WARN, root.getLevel());
        assertNotNull(root.getAppender("stare-testkit"));
        assertEquals(false, context.getLogger("io.netty").isDebugEnabled());
    }

    @Test
    void aConfigurationFileOfTheTestsWins() {
        LoggerContext context = new LoggerContext();
        assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY,
                new QuietLogging(name -> name.equals("logback-test.xml")).configure(context));
        assertNull(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("stare-testkit"));
    }
}
