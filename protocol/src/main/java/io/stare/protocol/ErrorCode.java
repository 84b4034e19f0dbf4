package io.stare.protocol;

/**
 * Why a request failed: one set of codes from the replica controller to the VNF, whatever crosses in
 * between. The controller answers with it ({@code ControlFailure}), the middleware's actors reply
 * with it ({@code Middleware.Failed}), the Java client's exception carries it, and the VNF wire
 * protocol sends it as a u8 ({@link #wire()}) to TCP and Python VNFs. No decision anywhere is made on
 * a message's text.
 *
 * <p>Wire values never change meaning; new codes take new values.
 */
public enum ErrorCode {
    /** Handshake: no protocol version in common. */
    UNSUPPORTED_VERSION(1),
    /** The request is not valid here (e.g. a second RegisterVnf, or a request before it). */
    BAD_REQUEST(2),
    /** The VNF must attach (RegisterVnf) first. */
    NOT_REGISTERED(3),
    /** The requester does not publish the state (another VNF does, or it never declared it). */
    NOT_PUBLISHER(4),
    /** No state of that name or ID has been declared. */
    UNKNOWN_STATE(5),
    /** The payload exceeds the middleware's limit. */
    PAYLOAD_TOO_LARGE(6),
    /** No VNF or state ID is left to assign. */
    ID_SPACE_EXHAUSTED(7),
    /** The replica controller (or another dependency) cannot serve the request now; retry later. */
    UNAVAILABLE(8),
    /** A bug: the server could not handle what it should have. */
    INTERNAL(9),
    /** The request is well-formed but makes no sense to the controller. */
    INVALID_ARGUMENT(10),
    /**
     * The state's backlog has more work queued than it takes (it is persisting and commands wait
     * behind it); retry after a pause. Said instead of dropping the request silently.
     */
    BUSY(11),
    /** The publisher's queues are full: the update was not taken; publish again later. */
    BACK_PRESSURED(12),
    /**
     * The VNF did not prove it may use its name: the middleware's gateway asks for a token and the
     * registration carried none, or a wrong one.
     */
    NOT_AUTHORIZED(13);

    private final int wire;

    ErrorCode(int wire) {
        this.wire = wire;
    }

    /** The value the VNF wire protocol carries, 1..255. */
    public int wire() {
        return wire;
    }

    /** The code with this wire value, or {@code null} when there is none (a newer peer's code). */
    public static ErrorCode fromWire(int wire) {
        for (ErrorCode code : values()) {
            if (code.wire == wire) {
                return code;
            }
        }
        return null;
    }

    /** Whether asking again later may succeed. */
    public boolean retryable() {
        return this == UNAVAILABLE || this == BUSY || this == BACK_PRESSURED;
    }
}
