package io.stare.bench.latency;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Core NATS (no JetStream) on a local {@code nats-server} (127.0.0.1:4222 by default) through
 * jnats, the official Java client: one connection publishes, and each subscriber has its own
 * connection with its own {@link Dispatcher} thread, as N separate subscriber processes would.
 *
 * <p>jnats publishes asynchronously: {@code publish} puts the message on the connection's outgoing
 * queue and a writer thread sends it, so a publish returns before the bytes are on the socket. That
 * is how a NATS user publishes; the harness stamps the intended send time, so the queueing is in the
 * measured latency. A subscriber that cannot keep up is a NATS "slow consumer": the client drops
 * messages past its pending limits, which shows up as lost updates.
 */
public final class NatsSystem implements PubSubSystem {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(5);

    private final String url;

    public NatsSystem(String host, int port) {
        this.url = "nats://" + host + ":" + port;
    }

    public NatsSystem() {
        this("127.0.0.1", 4222);
    }

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public String path() {
        return "jnats publish (async writer) -> nats-server " + url + " -> N connections, one Dispatcher each (TCP)";
    }

    @Override
    public Optional<String> unavailable() {
        try (Connection probe = connect("stare-bench-probe")) {
            return Optional.empty();
        } catch (Exception e) {
            return Optional.of("nats at " + url + " unreachable (" + e.getMessage() + ")");
        }
    }

    @Override
    public Session start(int subscribers, int payloadSize, Receiver receiver) throws Exception {
        return new NatsSession(subscribers, receiver);
    }

    /**
     * A connection that fails at once instead of reconnecting: a lost server must show as a failed
     * cell, not as a pause the latencies absorb.
     */
    private Connection connect(String name) throws Exception {
        Options options = new Options.Builder()
                .server(url)
                .connectionName(name)
                .connectionTimeout(CONNECT_TIMEOUT)
                .noReconnect()
                .build();
        return Nats.connect(options);
    }

    private final class NatsSession implements Session {
        private final String subject = "stare-bench." + System.nanoTime();
        private final List<Connection> connections = new ArrayList<>();
        private final Connection publisher;

        NatsSession(int subscribers, Receiver receiver) throws Exception {
            try {
                for (int i = 0; i < subscribers; i++) {
                    int index = i;
                    Connection connection = connect("stare-bench-sub-" + i);
                    connections.add(connection);
                    Dispatcher dispatcher = connection.createDispatcher(message -> {
                        long now = System.nanoTime();
                        byte[] data = message.getData();
                        receiver.onDelivery(index, data, 0, data.length, now);
                    });
                    dispatcher.subscribe(subject);
                    // SUB is sent asynchronously too; the PING/PONG of a flush means the server has
                    // processed it, so the subscription is in place when start returns.
                    connection.flush(SUBSCRIBE_TIMEOUT);
                }
                publisher = connect("stare-bench-pub");
                connections.add(publisher);
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        @Override
        public boolean publish(byte[] payload) {
            publisher.publish(subject, payload);
            return true;
        }

        @Override
        public void close() throws InterruptedException {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }
}
