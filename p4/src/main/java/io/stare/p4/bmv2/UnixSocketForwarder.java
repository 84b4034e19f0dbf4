package io.stare.p4.bmv2;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards TCP connections accepted on loopback ({@code 127.0.0.1}, an ephemeral port) to a Unix
 * domain socket, byte for byte in both directions. BMv2 serves P4Runtime on a Unix socket inside
 * its network namespace; the socket file is reachable from here because the file system is shared,
 * and the Pekko gRPC client needs a TCP address. Closing the forwarder closes every connection.
 */
final class UnixSocketForwarder implements AutoCloseable {

    /** More connections than a test ever opens: the accept loop is bounded by this. */
    private static final int MAX_CONNECTIONS = 64;

    private final Path socket;
    private final ServerSocketChannel server;
    private final List<SocketChannel> channels = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    UnixSocketForwarder(Path socket) throws IOException {
        this.socket = socket;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = new Thread(this::acceptLoop, "stare-bmv2-forwarder");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The loopback TCP port to connect to. */
    int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException("forwarder is closed", e);
        }
    }

    private void acceptLoop() {
        for (int accepted = 0; accepted < MAX_CONNECTIONS && !closed; accepted++) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                channels.add(client);
                channels.add(upstream);
                pump(client, upstream, "up");
                pump(upstream, client, "down");
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Copies {@code from} to {@code to} until either side closes (or the forwarder does). */
    private void pump(SocketChannel from, SocketChannel to, String direction) {
        Thread thread = new Thread(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                while (!closed && from.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
            } catch (ClosedChannelException e) {
                // The other direction or close() closed it.
            } catch (IOException e) {
                // Connection reset: end this connection.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "stare-bmv2-forwarder-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        channels.forEach(UnixSocketForwarder::closeQuietly);
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing to do about it.
        }
    }
}
