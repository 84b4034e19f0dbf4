package io.stare.protocol.vnf;

import io.stare.protocol.ErrorCode;

/**
 * The middleware's side of the version handshake, as a pure function so it can be tested alone.
 *
 * <pre>
 *   VNF                                    middleware
 *    |  HELLO "STAR" min..max clientName  -->  |
 *    |  &lt;-- HELLO_ACK version serverName max  |   highest version in both ranges
 *    |  &lt;-- ERROR UNSUPPORTED_VERSION         |   no common version: then close
 * </pre>
 */
public final class VnfHandshake {

    private VnfHandshake() {
    }

    /**
     * The answer to a client's Hello: a {@link VnfMessage.HelloAck} with the highest version both
     * sides speak, or an {@link VnfMessage.Error} with {@link ErrorCode#UNSUPPORTED_VERSION}
     * (request ID 0) when the ranges do not overlap.
     *
     * @param hello the client's Hello
     * @param serverMinVersion lowest version the server speaks, 1..65535
     * @param serverMaxVersion highest version the server speaks, serverMinVersion..65535
     * @param serverName the server's name for the HelloAck
     * @param maxFrameBytes the frame limit to advertise (the server decoder's limit)
     * @throws IllegalArgumentException for an invalid server range, name or limit
     */
    public static VnfMessage answer(VnfMessage.Hello hello, int serverMinVersion, int serverMaxVersion,
                                    String serverName, long maxFrameBytes) {
        Wire.checkVersion(serverMinVersion, "serverMinVersion");
        Wire.checkVersion(serverMaxVersion, "serverMaxVersion");
        if (serverMinVersion > serverMaxVersion) {
            throw new IllegalArgumentException(
                    "serverMinVersion " + serverMinVersion + " is above serverMaxVersion " + serverMaxVersion);
        }
        int low = Math.max(hello.minVersion(), serverMinVersion);
        int high = Math.min(hello.maxVersion(), serverMaxVersion);
        if (low > high) {
            return new VnfMessage.Error(0, ErrorCode.UNSUPPORTED_VERSION,
                    "client speaks versions " + hello.minVersion() + ".." + hello.maxVersion()
                            + ", server speaks " + serverMinVersion + ".." + serverMaxVersion);
        }
        return new VnfMessage.HelloAck(high, serverName, maxFrameBytes);
    }

    /**
     * {@link #answer} for a server that speaks {@link VnfFrameCodec#MIN_PROTOCOL_VERSION} ..
     * {@link VnfFrameCodec#PROTOCOL_VERSION}.
     */
    public static VnfMessage answer(VnfMessage.Hello hello, String serverName, long maxFrameBytes) {
        return answer(hello, VnfFrameCodec.MIN_PROTOCOL_VERSION, VnfFrameCodec.PROTOCOL_VERSION,
                serverName, maxFrameBytes);
    }
}
