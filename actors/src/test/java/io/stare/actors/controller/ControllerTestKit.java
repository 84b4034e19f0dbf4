package io.stare.actors.controller;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;

/** The configuration of the controller tests' actor systems. */
final class ControllerTestKit {

    private ControllerTestKit() {
    }

    /**
     * Manual time (timers fire only when a test lets time pass) and serialize-messages = on, so
     * every message, also between the controller's own actors, really crosses the Jackson CBOR
     * serializer as it would between cluster nodes.
     */
    static Config config() {
        return ConfigFactory.parseString("""
                        pekko.actor.serialize-messages = on
                        pekko.loglevel = WARNING
                        # The first journal access of a JVM starts H2 and Slick: allow for it.
                        pekko.actor.testkit.typed.single-expect-default = 10s
                        """)
                .withFallback(ManualTime.config())
                .withFallback(ConfigFactory.load());
    }
}
