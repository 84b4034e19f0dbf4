package io.stare.deploy.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

/** Junk on an HTTP/2 listener becomes one counted line; every other event passes. */
class StrangerConnectionFilterTest {

    private final Logger source = new LoggerContext().getLogger("org.apache.pekko.actor.RepointableActorRef");
    private final StrangerConnectionFilter filter = new StrangerConnectionFilter();

    @Test
    void aConnectionsStageErrorAndClosingLineAreDeniedAndCountedOnce() {
        String junk = "Error in stage [org.apache.pekko.http.impl.engine.http2.framing.Http2FrameParsing$$anon$1"
                + "-ByteStringParser]: truncated data in ByteStringParser";
        assertEquals(FilterReply.DENY, filter.decide(null, source, Level.ERROR, junk, null,
                new IllegalStateException("truncated data in ByteStringParser")));
        assertEquals(0, filter.refused(), "counted once, on the closing line");
        assertEquals(FilterReply.DENY, filter.decide(null, source, Level.ERROR, "HTTP2 connection failed with error "
                + "[truncated data in ByteStringParser]. Sending INTERNAL_ERROR and closing connection.", null, null));
        assertEquals(1, filter.refused());
    }

    @Test
    void everythingElsePasses() {
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, source, Level.ERROR,
                "Error in stage [io.stare.datapath.DatagramPorts]: boom", null, new IllegalStateException()));
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, source, Level.WARN,
                "Error in stage [org.apache.pekko.http.impl.engine.x]: y", null, null));
        assertEquals(FilterReply.NEUTRAL, filter.decide(null, source, Level.ERROR, null, null, null));
        assertEquals(0, filter.refused());
    }
}
