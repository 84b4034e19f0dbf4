package io.stare.state.store.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback server that speaks just enough Redis (RESP2) for a client to connect, PING and
 * write ({@code +PONG}, else {@code +OK}), until {@link #stall()}: from then on it reads every
 * command and answers none, as a Redis that hangs would.
 */
final class StallingRedis implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> connections = new ArrayList<>();
    private volatile boolean stalled;

    StallingRedis() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "stalling-redis");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** No more answers, on every connection. */
    void stall() {
        stalled = true;
    }

    private void accept() {
        try {
            while (true) {
                Socket connection = server.accept();
                synchronized (connections) {
                    connections.add(connection);
                }
                Thread serving = new Thread(() -> serve(connection), "stalling-redis-connection");
                serving.setDaemon(true);
                serving.start();
            }
        } catch (IOException closed) {
            // close() ends the loop.
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            for (List<String> command = read(in); command != null; command = read(in)) {
                if (stalled) {
                    continue;
                }
                String reply = command.get(0).equalsIgnoreCase("PING") ? "+PONG\r\n" : "+OK\r\n";
                out.write(reply.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException gone) {
            // The client left or close() closed the socket.
        }
    }

    /** One command, {@code *n} then n {@code $len} bulk strings; null at the end of the stream. */
    private static List<String> read(InputStream in) throws IOException {
        String header = line(in);
        if (header == null) {
            return null;
        }
        int count = Integer.parseInt(header.substring(1));
        List<String> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = Integer.parseInt(line(in).substring(1));
            byte[] part = in.readNBytes(length);
            in.readNBytes(2);
            parts.add(new String(part, StandardCharsets.UTF_8));
        }
        return parts;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return null;
            }
            if (b != '\r') {
                text.write(b);
            }
        }
        return text.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (connections) {
            for (Socket connection : connections) {
                connection.close();
            }
        }
    }
}
