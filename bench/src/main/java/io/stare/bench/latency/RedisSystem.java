package io.stare.bench.latency;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

/**
 * Redis pub/sub on a local server (127.0.0.1:6379 by default) through Jedis, the official Java
 * client: one connection publishes ({@code PUBLISH}, synchronous, one round trip each), and each
 * subscriber has its own connection and thread ({@code SUBSCRIBE}).
 */
public final class RedisSystem implements PubSubSystem {

    private final String host;
    private final int port;

    public RedisSystem(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public RedisSystem() {
        this("127.0.0.1", 6379);
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String path() {
        return "Jedis PUBLISH -> redis-server " + host + ":" + port + " -> N Jedis SUBSCRIBE connections (TCP)";
    }

    @Override
    public Optional<String> unavailable() {
        try (Jedis jedis = new Jedis(host, port, 1000)) {
            String pong = jedis.ping();
            return "PONG".equals(pong) ? Optional.empty() : Optional.of("redis at " + host + ":" + port + " answered " + pong);
        } catch (RuntimeException e) {
            return Optional.of("redis at " + host + ":" + port + " unreachable (" + e.getMessage() + ")");
        }
    }

    @Override
    public Session start(int subscribers, int payloadSize, Receiver receiver) throws Exception {
        return new RedisSession(subscribers, receiver);
    }

    private final class RedisSession implements Session {
        private final byte[] channel = ("stare-bench-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        private final List<Jedis> connections = new ArrayList<>();
        private final List<BinaryJedisPubSub> subscriptions = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final Jedis publisher;

        RedisSession(int subscribers, Receiver receiver) throws Exception {
            CountDownLatch subscribed = new CountDownLatch(subscribers);
            try {
                for (int i = 0; i < subscribers; i++) {
                    int index = i;
                    Jedis connection = new Jedis(host, port, 5000, 0);
                    connections.add(connection);
                    BinaryJedisPubSub subscription = new BinaryJedisPubSub() {
                        @Override
                        public void onMessage(byte[] ch, byte[] message) {
                            receiver.onDelivery(index, message, 0, message.length, System.nanoTime());
                        }

                        @Override
                        public void onSubscribe(byte[] ch, int count) {
                            subscribed.countDown();
                        }
                    };
                    subscriptions.add(subscription);
                    Thread thread = new Thread(() -> {
                        try {
                            connection.subscribe(subscription, channel);
                        } catch (RuntimeException e) {
                            // the connection closed under it
                        }
                    }, "redis-subscriber-" + i);
                    thread.setDaemon(true);
                    threads.add(thread);
                    thread.start();
                }
                publisher = new Jedis(host, port, 5000);
                connections.add(publisher);
                if (!subscribed.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("redis subscriptions not confirmed within 10 s");
                }
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        @Override
        public boolean publish(byte[] payload) {
            publisher.publish(channel, payload);
            return true;
        }

        @Override
        public void close() throws InterruptedException {
            for (BinaryJedisPubSub subscription : subscriptions) {
                try {
                    if (subscription.isSubscribed()) {
                        subscription.unsubscribe();
                    }
                } catch (RuntimeException ignored) {
                    // closing anyway
                }
            }
            for (Thread thread : threads) {
                thread.join(2000);
            }
            for (Jedis connection : connections) {
                try {
                    connection.close();
                } catch (RuntimeException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
