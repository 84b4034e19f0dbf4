package io.stare.deploy.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Turns what Pekko HTTP logs at ERROR when a connection to one of our HTTP/2 listeners (the
 * software switch's P4Runtime server) sends bytes that are not HTTP/2 (a stage error with its stack
 * trace, then "HTTP2 connection failed ... closing connection") into one counted WARN line: a
 * stranger's junk is worth a line, not a stack trace that reads like a bug of ours. Everything else
 * passes untouched. Installed by the tool's {@code logback.xml}.
 */
public final class StrangerConnectionFilter extends TurboFilter {

    private static final org.slf4j.Logger log = LoggerFactory.getLogger("io.stare.listener");
    /** Pekko HTTP's connection stages: a stage error there is about the peer's bytes (and a stack trace). */
    private static final String STAGE_ERROR = "Error in stage [org.apache.pekko.http.impl.engine.";
    /** The line Pekko HTTP logs at ERROR right after, when it closes the connection. */
    private static final String CONNECTION_FAILED = "HTTP2 connection failed with error [";

    private final AtomicLong refused = new AtomicLong();

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level != Level.ERROR || format == null) {
            return FilterReply.NEUTRAL;
        }
        if (format.startsWith(STAGE_ERROR)) {
            // Said again, without the stack trace, by the CONNECTION_FAILED line that follows.
            log.debug("{}", format);
            return FilterReply.DENY;
        }
        if (format.startsWith(CONNECTION_FAILED)) {
            log.warn("closed a connection that did not speak HTTP/2 ({} so far): {}", refused.incrementAndGet(),
                    format.substring(CONNECTION_FAILED.length(), Math.max(CONNECTION_FAILED.length(),
                            format.indexOf(']', CONNECTION_FAILED.length()))));
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    /** Connections closed this way since start. */
    public long refused() {
        return refused.get();
    }
}
