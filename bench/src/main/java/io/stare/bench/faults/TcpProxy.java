package io.stare.bench.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay to one server (a database), which a fault can cut: every open connection
 * reset and new ones refused, as the clients see a server that restarts, until {@link #restore}.
 * Two threads per connection; the relay lives as long as its deployment.
 */
final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final InetAddress host;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;

    /**
     * @param host the address to listen on (loopback, or a bridge's address that processes in
     *     network namespaces reach)
     * @param target the server
     */
    TcpProxy(String host, InetSocketAddress target) throws IOException {
        this.target = target;
        this.host = InetAddress.getByName(host);
        this.server = listen(0);
        this.port = server.getLocalPort();
        accept(server);
    }

    /** The port clients connect to instead of the server's. */
    int port() {
        return port;
    }

    /** Resets every open connection and refuses new ones: the server "goes down". */
    synchronized void cut() throws IOException {
        server.close();
        for (Socket socket : open) {
            try {
                socket.setSoLinger(true, 0); // a reset, as from a dead server
            } catch (IOException closedMeanwhile) {
                // its pump closed it first (the other side had ended): nothing to reset
            }
            closeQuietly(socket);
        }
        open.clear();
    }

    /** Accepts connections again on the same port: the server "is back". */
    synchronized void restore() throws IOException {
        if (server.isClosed()) {
            server = listen(port);
            accept(server);
        }
    }

    private ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(host, port), 64);
        return socket;
    }

    private void accept(ServerSocket listening) {
        Thread acceptor = new Thread(() -> {
            while (!listening.isClosed()) {
                try {
                    Socket client = listening.accept();
                    Socket upstream = new Socket();
                    upstream.connect(target, 5_000);
                    open.add(client);
                    open.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException closedOrRefused) {
                    // the listener was cut, or the server refused: the client sees its connection end
                }
            }
        }, "tcp-proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void pump(Socket from, Socket to) {
        Thread pump = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ended) {
                // one side closed or was reset: close the other
            } finally {
                open.remove(from);
                open.remove(to);
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        pump.setDaemon(true);
        pump.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
