package io.stare.bench.latency;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * MQTT 3.1.1 on a local broker (Mosquitto at 127.0.0.1:1883 by default) through Eclipse Paho's
 * {@link MqttClient}: one client publishes, and each subscriber is its own client with its own
 * connection, all at QoS 0 by default (at most once: no acknowledgement, as a latency-minded state
 * feed would run; a lost message is lost).
 *
 * <p>{@link MqttClient#publish} is synchronous: at QoS 0 it returns once Paho's sender thread has
 * written the PUBLISH to the socket, so a publisher is held up only by its own TCP connection. Each
 * session uses a fresh topic and fresh client IDs (a broker disconnects the older of two clients with
 * one ID), clean sessions and in-memory persistence, so sessions and concurrent runs do not meet.
 */
public final class MqttSystem implements PubSubSystem {

    /** Seconds Paho waits for the broker's CONNACK. */
    private static final int CONNECT_TIMEOUT_S = 3;
    /** Bound on every blocking Paho call (connect, subscribe, publish, disconnect). */
    private static final long TIME_TO_WAIT_MS = 5_000;

    private final String uri;
    private final int qos;

    public MqttSystem(String host, int port, int qos) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("MQTT QoS is 0, 1 or 2, not " + qos);
        }
        this.uri = "tcp://" + host + ":" + port;
        this.qos = qos;
    }

    public MqttSystem() {
        this("127.0.0.1", 1883, 0);
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public String path() {
        return "Paho MqttClient PUBLISH QoS " + qos + " -> broker " + uri + " -> N Paho clients, one connection each (TCP)";
    }

    @Override
    public Optional<String> unavailable() {
        try {
            MqttClient probe = connect("stare-bench-probe-" + System.nanoTime());
            disconnect(probe);
            return Optional.empty();
        } catch (MqttException e) {
            return Optional.of("mqtt broker at " + uri + " unreachable (" + e.getMessage() + ")");
        }
    }

    @Override
    public Session start(int subscribers, int payloadSize, Receiver receiver) throws MqttException {
        return new MqttSession(subscribers, receiver);
    }

    private MqttClient connect(String clientId) throws MqttException {
        MqttClient client = new MqttClient(uri, clientId, new MemoryPersistence());
        client.setTimeToWait(TIME_TO_WAIT_MS);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(CONNECT_TIMEOUT_S);
        // A lost broker must fail the cell, not pause it while Paho reconnects.
        options.setAutomaticReconnect(false);
        try {
            client.connect(options);
        } catch (MqttException e) {
            client.close();
            throw e;
        }
        return client;
    }

    private static void disconnect(MqttClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect(0);
            }
        } catch (MqttException e) {
            try {
                client.disconnectForcibly(0, 1_000);
            } catch (MqttException ignored) {
                // closing anyway
            }
        }
        try {
            client.close();
        } catch (MqttException ignored) {
            // closing anyway
        }
    }

    private final class MqttSession implements Session {
        private final String run = Long.toString(System.nanoTime(), 36);
        private final String topic = "stare-bench/" + run;
        private final List<MqttClient> clients = new ArrayList<>();
        private final MqttClient publisher;

        MqttSession(int subscribers, Receiver receiver) throws MqttException {
            try {
                for (int i = 0; i < subscribers; i++) {
                    MqttClient client = connect("stare-bench-" + run + "-sub-" + i);
                    clients.add(client);
                    client.setCallback(new Delivery(i, receiver));
                    // Returns after the broker's SUBACK: the subscription is in place.
                    client.subscribe(topic, qos);
                }
                publisher = connect("stare-bench-" + run + "-pub");
                clients.add(publisher);
            } catch (MqttException | RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public boolean publish(byte[] payload) throws MqttException {
            publisher.publish(topic, payload, qos, false);
            return true;
        }

        @Override
        public void close() {
            for (MqttClient client : clients) {
                disconnect(client);
            }
        }
    }

    /** One subscriber's callback, on its client's delivery thread. */
    private record Delivery(int index, Receiver receiver) implements MqttCallback {

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            long now = System.nanoTime();
            byte[] payload = message.getPayload();
            receiver.onDelivery(index, payload, 0, payload.length, now);
        }

        @Override
        public void connectionLost(Throwable cause) {
            // The cell counts what did not arrive as lost; closing the session also ends up here.
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // Subscribers publish nothing.
        }
    }
}
