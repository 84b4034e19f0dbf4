package io.stare.bench.latency;

import java.util.Optional;

/**
 * One publish/subscribe system under the latency harness: STARE, a broker, or the raw UDP floor.
 * The harness owns the payload (its first 16 bytes are the intended send time and the sequence
 * number, see {@link Payloads}) and the clock; a system only moves bytes from one publisher to
 * {@code subscribers} subscribers and calls the {@link Receiver} on each delivery.
 *
 * <p>To add a system (NATS, MQTT, Distributed Data, Aeron, ...): implement this interface, and
 * register it by name in {@link Systems}. Everything else (pacing, histograms, ratios, CSV) is shared.
 */
public interface PubSubSystem {

    /** The short name used on the command line and in the CSV ({@code stare}, {@code udp}, ...). */
    String name();

    /** What is in the path, in one line, for the report. */
    String path();

    /**
     * Why this system cannot run on this machine (a server not reachable, ...), or empty when it can.
     * Checked once before its cells run; a reason makes every row of the system "skipped: reason".
     */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /**
     * Starts one publisher and {@code subscribers} subscribers (each on its own connection, host or
     * socket), every subscription in place when this returns.
     *
     * @param payloadSize the size of every payload the session will publish, at least {@link Payloads#HEADER}
     * @param receiver    called on every delivery, from any thread, with the subscriber's index (0-based)
     */
    Session start(int subscribers, int payloadSize, Receiver receiver) throws Exception;

    /** A running publisher with its subscribers. */
    interface Session extends AutoCloseable {

        /**
         * Publishes one payload; may be asynchronous. Returns false when the system refused it
         * (counted as an error, and the update as lost).
         */
        boolean publish(byte[] payload) throws Exception;

        /** Publishes the system refused after {@link #publish} returned (asynchronous systems); 0 by default. */
        default long refusedLater() {
            return 0;
        }

        /** Why the first refused publish was refused, for the report; empty when none was or it is not known. */
        default String firstRefusal() {
            return "";
        }

        /** Stops the publisher and the subscribers. */
        @Override
        void close() throws Exception;
    }

    /** Where deliveries go. */
    @FunctionalInterface
    interface Receiver {

        /**
         * One payload delivered to subscriber {@code subscriber}; {@code receiveNanos} is
         * {@link System#nanoTime()} taken as soon as the system handed the bytes over.
         */
        void onDelivery(int subscriber, byte[] buffer, int offset, int length, long receiveNanos);
    }
}
