package io.stare.bench.latency;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The raw floor: plain UDP over 127.0.0.1 through one forwarding hop, no framework. The publisher
 * sends each payload as one datagram to a forwarder thread, which copies it to the {@code N}
 * subscriber sockets (one unicast send each, as a software switch would); one thread per
 * subscriber blocks on its socket. Payloads above a datagram (64 KB) are refused.
 */
public final class UdpFloorSystem implements PubSubSystem {

    private static final int BUFFER = 4 << 20;
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    @Override
    public String name() {
        return "udp";
    }

    @Override
    public String path() {
        return "publisher socket -> forwarder thread (N unicast copies) -> subscriber sockets, 127.0.0.1";
    }

    @Override
    public Session start(int subscribers, int payloadSize, Receiver receiver) throws IOException {
        if (payloadSize > 65_507) {
            throw new IllegalArgumentException("the UDP floor sends one datagram per update, at most 65507 B");
        }
        return new UdpSession(subscribers, payloadSize, receiver);
    }

    private static DatagramChannel open() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, BUFFER);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, BUFFER);
        channel.bind(ANY_LOOPBACK);
        return channel;
    }

    private static final class UdpSession implements Session {
        private final List<DatagramChannel> channels = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final DatagramChannel publisher;
        private final InetSocketAddress forwarderAddress;
        private final ByteBuffer sendBuffer;
        private volatile boolean running = true;

        UdpSession(int subscribers, int payloadSize, Receiver receiver) throws IOException {
            try {
                List<InetSocketAddress> targets = new ArrayList<>();
                for (int i = 0; i < subscribers; i++) {
                    DatagramChannel channel = open();
                    channels.add(channel);
                    targets.add((InetSocketAddress) channel.getLocalAddress());
                    int index = i;
                    threads.add(new Thread(() -> receive(channel, index, payloadSize, receiver),
                            "udp-floor-subscriber-" + i));
                }
                DatagramChannel forwarder = open();
                channels.add(forwarder);
                forwarderAddress = (InetSocketAddress) forwarder.getLocalAddress();
                threads.add(new Thread(() -> forward(forwarder, targets, payloadSize), "udp-floor-forwarder"));
                publisher = open();
                channels.add(publisher);
                sendBuffer = ByteBuffer.allocateDirect(payloadSize);
            } catch (IOException | RuntimeException e) {
                closeChannels();
                throw e;
            }
            for (Thread thread : threads) {
                thread.setDaemon(true);
                thread.start();
            }
        }

        private void forward(DatagramChannel forwarder, List<InetSocketAddress> targets, int payloadSize) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(payloadSize, 2048));
            try {
                while (running) {
                    buffer.clear();
                    forwarder.receive(buffer);
                    buffer.flip();
                    for (InetSocketAddress target : targets) {
                        buffer.rewind();
                        forwarder.send(buffer, target);
                    }
                }
            } catch (ClosedChannelException e) {
                // closed
            } catch (IOException e) {
                if (running) {
                    throw new IllegalStateException("UDP floor forwarder failed", e);
                }
            }
        }

        private void receive(DatagramChannel channel, int index, int payloadSize, Receiver receiver) {
            ByteBuffer buffer = ByteBuffer.allocate(Math.max(payloadSize, 2048));
            try {
                while (running) {
                    buffer.clear();
                    channel.receive(buffer);
                    long now = System.nanoTime();
                    receiver.onDelivery(index, buffer.array(), 0, buffer.position(), now);
                }
            } catch (ClosedChannelException e) {
                // closed
            } catch (IOException e) {
                if (running) {
                    throw new IllegalStateException("UDP floor subscriber failed", e);
                }
            }
        }

        @Override
        public boolean publish(byte[] payload) throws IOException {
            sendBuffer.clear();
            sendBuffer.put(payload);
            sendBuffer.flip();
            return publisher.send(sendBuffer, forwarderAddress) == payload.length;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            closeChannels();
            for (Thread thread : threads) {
                thread.join(2000);
            }
        }

        private void closeChannels() {
            for (DatagramChannel channel : channels) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
