package io.stare.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 25 bytes that made a plain-TCP Pekko node log "Dropping message ... IndexOutOfBoundsException"
 * at megabytes per second (apache/pekko#3492): Artery's TCP header ("AKKA", stream 1) and a frame
 * whose length is -1.
 */
public final class ArteryJunk {

    private ArteryJunk() {
    }

    /** Sends the frame to the cluster port {@code port} on 127.0.0.1 and closes the connection. */
    public static void sendNegativeLengthFrame(int port) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(25).order(ByteOrder.LITTLE_ENDIAN);
        frame.put(new byte[] {'A', 'K', 'K', 'A', 1}).putInt(-1);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(frame.array());
            out.flush();
        }
    }
}
