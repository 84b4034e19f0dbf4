package io.stare.protocol.vnf;

import io.stare.protocol.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One message of the VNF &harr; middleware protocol (TCP, {@link VnfFrameCodec#DEFAULT_PORT}).
 *
 * <p>A session starts with {@link Hello} from the VNF and {@link HelloAck} (or an {@link Error}
 * with {@link ErrorCode#UNSUPPORTED_VERSION}) from the middleware. After that the VNF sends
 * requests, each carrying a {@code requestId} (u32, chosen by the VNF; start at 1 so that it never
 * collides with the 0 of an unsolicited {@link Error}) that the middleware echoes in the reply or
 * in an {@link Error}. {@link Deliver} and {@link LossNotice} are pushed by the middleware at any
 * time and answer no request.
 *
 * <p>Every record validates its fields in its constructor and throws
 * {@link IllegalArgumentException} for values the wire cannot carry, so an instance is always
 * encodable. Frame type codes live in {@link FrameType}; the byte layout in {@link VnfFrameCodec}.
 */
public sealed interface VnfMessage
        permits VnfMessage.Hello, VnfMessage.HelloAck, VnfMessage.Error,
                VnfMessage.RegisterVnf, VnfMessage.VnfRegistered,
                VnfMessage.DeclarePublishState, VnfMessage.StateDeclared,
                VnfMessage.LookupState, VnfMessage.StateFound,
                VnfMessage.ListStates, VnfMessage.StatesListed,
                VnfMessage.Subscribe, VnfMessage.Subscribed,
                VnfMessage.Unsubscribe, VnfMessage.Unsubscribed,
                VnfMessage.Publish, VnfMessage.Published,
                VnfMessage.Deliver, VnfMessage.LossNotice {

    /** The frame type this message travels as. */
    default FrameType frameType() {
        return FrameType.of(this);
    }

    // ---------------------------------------------------------------- handshake

    /**
     * VNF &rarr; middleware, first frame of a session: the protocol versions the VNF speaks. On the
     * wire it starts with the magic bytes {@code 'S' 'T' 'A' 'R'} so that a stray client (an HTTP
     * probe, say) is refused at once.
     *
     * @param minVersion lowest version the client speaks, 1..65535
     * @param maxVersion highest version the client speaks, minVersion..65535
     * @param clientName free-form name of the client for logs, 1..255 UTF-8 bytes
     */
    record Hello(int minVersion, int maxVersion, String clientName) implements VnfMessage {
        public Hello {
            Wire.checkVersion(minVersion, "minVersion");
            Wire.checkVersion(maxVersion, "maxVersion");
            if (minVersion > maxVersion) {
                throw new IllegalArgumentException(
                        "minVersion " + minVersion + " is above maxVersion " + maxVersion);
            }
            Wire.checkName(clientName, "clientName");
        }
    }

    /**
     * Middleware &rarr; VNF: the handshake succeeded.
     *
     * @param version the version both sides now speak, 1..65535
     * @param serverName free-form name of the middleware for logs, 1..255 UTF-8 bytes
     * @param maxFrameBytes the largest frame length (type + body) the middleware accepts,
     *     {@link VnfFrameCodec#MIN_MAX_FRAME_BYTES}..2^32-1; a VNF must not send larger frames
     */
    record HelloAck(int version, String serverName, long maxFrameBytes) implements VnfMessage {
        public HelloAck {
            Wire.checkVersion(version, "version");
            Wire.checkName(serverName, "serverName");
            if (maxFrameBytes < VnfFrameCodec.MIN_MAX_FRAME_BYTES || maxFrameBytes > Wire.MAX_U32) {
                throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " is out of range "
                        + VnfFrameCodec.MIN_MAX_FRAME_BYTES + ".." + Wire.MAX_U32);
            }
        }
    }

    /**
     * Middleware &rarr; VNF: a request failed, or (with {@code requestId} 0) the session did.
     *
     * @param requestId the failed request's ID, or 0 when the error answers no request
     * @param code what went wrong (the wire carries {@link ErrorCode#wire()} as a u8)
     * @param message human-readable detail, 0..1024 UTF-8 bytes (see {@link #of} for arbitrary text)
     */
    record Error(long requestId, ErrorCode code, String message) implements VnfMessage {

        public Error {
            Wire.checkRequestId(requestId);
            Wire.checkNotNull(code, "code");
            Wire.checkText(message, "message", 0, VnfFrameCodec.MAX_ERROR_MESSAGE_BYTES);
        }

        /**
         * An error whose message is any text: {@code null} becomes empty, unpaired surrogates become
         * U+FFFD and the text is cut (between code points) to fit the 1024-byte limit. Use this for
         * exception messages and other text not written for the wire.
         */
        public static Error of(long requestId, ErrorCode code, String text) {
            String source = text == null ? "" : text;
            StringBuilder fitted = new StringBuilder();
            int bytes = 0;
            for (int i = 0; i < source.length(); ) {
                int cp = source.codePointAt(i);
                i += Character.charCount(cp);
                if (Character.getType(cp) == Character.SURROGATE) {
                    cp = 0xFFFD;
                }
                int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (bytes + size > VnfFrameCodec.MAX_ERROR_MESSAGE_BYTES) {
                    break;
                }
                bytes += size;
                fitted.appendCodePoint(cp);
            }
            return new Error(requestId, code, fitted.toString());
        }
    }

    // ---------------------------------------------------------------- registration and naming

    /**
     * VNF &rarr; middleware: register this VNF under a name; must precede every other request.
     *
     * @param requestId echoed by the reply, 0..2^32-1
     * @param vnfName the VNF's name, 1..255 UTF-8 bytes
     */
    record RegisterVnf(long requestId, String vnfName, String token, boolean move) implements VnfMessage {
        /** The flags bit that moves the VNF here from the middleware its name is bound to. */
        public static final int MOVE = 1;

        public RegisterVnf {
            Wire.checkRequestId(requestId);
            Wire.checkName(vnfName, "vnfName");
            Objects.requireNonNull(token, "token");
            if (token.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
                throw new IllegalArgumentException("token is longer than 255 UTF-8 bytes");
            }
        }

        /** A registration without a token (for a gateway that asks for none). */
        public RegisterVnf(long requestId, String vnfName) {
            this(requestId, vnfName, "", false);
        }

        /** A registration that does not move the VNF. */
        public RegisterVnf(long requestId, String vnfName, String token) {
            this(requestId, vnfName, token, false);
        }

        /** The token, hidden: it is a credential. */
        @Override
        public String toString() {
            return "RegisterVnf[requestId=" + requestId + ", vnfName=" + vnfName + ", token="
                    + (token.isEmpty() ? "none" : "***") + (move ? ", move" : "") + "]";
        }
    }

    /**
     * Middleware &rarr; VNF: the VNF is registered and has been assigned an ID.
     *
     * @param requestId the RegisterVnf's ID
     * @param vnfName the registered name
     * @param vnfId the assigned VNF ID, 0..{@link io.stare.protocol.header.StareHeader#MAX_VNF_ID}
     */
    record VnfRegistered(long requestId, String vnfName, int vnfId) implements VnfMessage {
        public VnfRegistered {
            Wire.checkRequestId(requestId);
            Wire.checkName(vnfName, "vnfName");
            Wire.checkVnfId(vnfId);
        }
    }

    /**
     * VNF &rarr; middleware: this VNF will publish the named state (creating it if new).
     *
     * @param requestId echoed by the reply, 0..2^32-1
     * @param stateName the state's name, 1..255 UTF-8 bytes
     */
    record DeclarePublishState(long requestId, String stateName) implements VnfMessage {
        public DeclarePublishState {
            Wire.checkRequestId(requestId);
            Wire.checkName(stateName, "stateName");
        }
    }

    /**
     * Middleware &rarr; VNF: the state is declared; publish to it by ID.
     *
     * @param requestId the DeclarePublishState's ID
     * @param stateName the declared name
     * @param stateId its ID, 0..{@link io.stare.protocol.address.StareAddress#MAX_STATE_ID}
     */
    record StateDeclared(long requestId, String stateName, int stateId) implements VnfMessage {
        public StateDeclared {
            Wire.checkRequestId(requestId);
            Wire.checkName(stateName, "stateName");
            Wire.checkStateId(stateId);
        }
    }

    /**
     * VNF &rarr; middleware: what is the ID of the named state? Fails with
     * {@link ErrorCode#UNKNOWN_STATE} if nobody has declared it.
     *
     * @param requestId echoed by the reply, 0..2^32-1
     * @param stateName the state's name, 1..255 UTF-8 bytes
     */
    record LookupState(long requestId, String stateName) implements VnfMessage {
        public LookupState {
            Wire.checkRequestId(requestId);
            Wire.checkName(stateName, "stateName");
        }
    }

    /**
     * Middleware &rarr; VNF: the named state's ID.
     *
     * @param requestId the LookupState's ID
     * @param stateName the name looked up
     * @param stateId its ID, 0..{@link io.stare.protocol.address.StareAddress#MAX_STATE_ID}
     */
    record StateFound(long requestId, String stateName, int stateId) implements VnfMessage {
        public StateFound {
            Wire.checkRequestId(requestId);
            Wire.checkName(stateName, "stateName");
            Wire.checkStateId(stateId);
        }
    }

    /**
     * VNF &rarr; middleware (protocol version 2): which declared states' names start with
     * {@code prefix}? With a subscribe policy, only those this VNF may subscribe to.
     *
     * @param requestId echoed by the reply, 0..2^32-1
     * @param prefix the names' beginning, 1..255 UTF-8 bytes
     */
    record ListStates(long requestId, String prefix) implements VnfMessage {
        public ListStates {
            Wire.checkRequestId(requestId);
            Wire.checkName(prefix, "prefix");
        }
    }

    /**
     * Middleware &rarr; VNF: the matching names, sorted, as many as fit in the smallest frame any
     * peer may allow ({@link VnfFrameCodec#MIN_MAX_FRAME_BYTES}).
     *
     * @param requestId the ListStates' ID
     * @param prefix the prefix asked for
     * @param stateNames the names, each 1..255 UTF-8 bytes
     * @param complete false when more matched than the frame holds: a longer prefix lists the rest
     */
    record StatesListed(long requestId, String prefix, List<String> stateNames, boolean complete)
            implements VnfMessage {

        /** The most bytes the names may take on the wire (each with its 2-byte length). */
        public static final int MAX_NAMES_BYTES = VnfFrameCodec.MIN_MAX_FRAME_BYTES - 512;

        public StatesListed {
            Wire.checkRequestId(requestId);
            Wire.checkName(prefix, "prefix");
            if (stateNames == null) {
                throw new IllegalArgumentException("stateNames must not be null");
            }
            stateNames = List.copyOf(stateNames);
            if (namesBytes(stateNames) > MAX_NAMES_BYTES) {
                throw new IllegalArgumentException("stateNames take " + namesBytes(stateNames)
                        + " bytes on the wire, at most " + MAX_NAMES_BYTES);
            }
        }

        /**
         * As many of {@code names} as fit, in order; complete only if all fit and {@code allListed}
         * (the list holds every match).
         */
        public static StatesListed fitting(long requestId, String prefix, List<String> names, boolean allListed) {
            int bytes = 0;
            int fit = 0;
            while (fit < names.size()) {
                bytes += namesBytes(List.of(names.get(fit)));
                if (bytes > MAX_NAMES_BYTES) {
                    break;
                }
                fit++;
            }
            return new StatesListed(requestId, prefix, names.subList(0, fit), allListed && fit == names.size());
        }

        /** The bytes {@code names} take on the wire, each checked as a name. */
        public static int namesBytes(List<String> names) {
            int bytes = 0;
            for (String name : names) {
                Wire.checkName(name, "stateNames[]");
                bytes += 2 + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            }
            return bytes;
        }
    }

    // ---------------------------------------------------------------- subscriptions

    /**
     * VNF &rarr; middleware: deliver every future update of the named state to this VNF, or, with a
     * resume point, every update from that one on (a VNF that reconnects after its middleware
     * restarted names the update after the last it got; what the backlog no longer holds comes as
     * a {@link LossNotice}).
     *
     * @param requestId echoed by the reply, 0..2^32-1
     * @param stateName the state's name, 1..255 UTF-8 bytes
     * @param resumeFrom the first update wanted, or {@link #FROM_NOW} for the next one published
     */
    record Subscribe(long requestId, String stateName, long resumeFrom) implements VnfMessage {
        /** No resume point: from the next update published on. */
        public static final long FROM_NOW = -1;

        public Subscribe {
            Wire.checkRequestId(requestId);
            Wire.checkName(stateName, "stateName");
            if (resumeFrom < FROM_NOW) {
                throw new IllegalArgumentException("resumeFrom " + resumeFrom + " must be an update number or -1");
            }
        }

        /** A subscription from the next update on. */
        public Subscribe(long requestId, String stateName) {
            this(requestId, stateName, FROM_NOW);
        }
    }

    /**
     * Middleware &rarr; VNF: the subscription is in place; {@link Deliver}s name the state by ID.
     *
     * @param requestId the Subscribe's ID
     * @param stateName the name subscribed to
     * @param stateId its ID, 0..{@link io.stare.protocol.address.StareAddress#MAX_STATE_ID}
     */
    record Subscribed(long requestId, String stateName, int stateId) implements VnfMessage {
        public Subscribed {
            Wire.checkRequestId(requestId);
            Wire.checkName(stateName, "stateName");
            Wire.checkStateId(stateId);
        }
    }

    /**
     * VNF &rarr; middleware: stop delivering the state.
     *
     * @param requestId echoed by the reply, 0..2^32-1
     * @param stateId the state, 0..{@link io.stare.protocol.address.StareAddress#MAX_STATE_ID}
     */
    record Unsubscribe(long requestId, int stateId) implements VnfMessage {
        public Unsubscribe {
            Wire.checkRequestId(requestId);
            Wire.checkStateId(stateId);
        }
    }

    /**
     * Middleware &rarr; VNF: the subscription is gone.
     *
     * @param requestId the Unsubscribe's ID
     * @param stateId the state, 0..{@link io.stare.protocol.address.StareAddress#MAX_STATE_ID}
     */
    record Unsubscribed(long requestId, int stateId) implements VnfMessage {
        public Unsubscribed {
            Wire.checkRequestId(requestId);
            Wire.checkStateId(stateId);
        }
    }

    // ---------------------------------------------------------------- state updates

    /**
     * VNF &rarr; middleware: a new value of a state this VNF declared. The payload is copied in and
     * out, so the record stays immutable.
     *
     * @param requestId echoed by the reply, 0..2^32-1
     * @param stateId the state, 0..{@link io.stare.protocol.address.StareAddress#MAX_STATE_ID}
     * @param payload the state's new value (may be empty)
     */
    record Publish(long requestId, int stateId, byte[] payload) implements VnfMessage {
        public Publish {
            Wire.checkRequestId(requestId);
            Wire.checkStateId(stateId);
            payload = Wire.checkNotNull(payload, "payload").clone();
        }

        /** A copy of the payload. */
        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** The payload's length in bytes, without copying it. */
        public int payloadLength() {
            return payload.length;
        }

        /** The payload itself, for the codec only: must not be modified. */
        byte[] payloadNoCopy() {
            return payload;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Publish p
                    && requestId == p.requestId && stateId == p.stateId && Arrays.equals(payload, p.payload);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Long.hashCode(requestId) + stateId) + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Publish[requestId=" + requestId + ", stateId=" + stateId
                    + ", payload=" + payload.length + " bytes]";
        }
    }

    /**
     * Middleware &rarr; VNF: the update was accepted and numbered.
     *
     * @param requestId the Publish's ID
     * @param stateId the state, 0..{@link io.stare.protocol.address.StareAddress#MAX_STATE_ID}
     * @param updateNo the update's extended (64-bit, non-wrapping) number, &ge; 0
     */
    record Published(long requestId, int stateId, long updateNo) implements VnfMessage {
        public Published {
            Wire.checkRequestId(requestId);
            Wire.checkStateId(stateId);
            Wire.checkUpdateNo(updateNo, "updateNo");
        }
    }

    /**
     * Middleware &rarr; VNF: an update of a subscribed state. The payload is copied in and out.
     *
     * @param stateId the state, 0..{@link io.stare.protocol.address.StareAddress#MAX_STATE_ID}
     * @param publisherVnfId the publishing VNF, 0..{@link io.stare.protocol.header.StareHeader#MAX_VNF_ID}
     * @param updateNo the update's extended (64-bit, non-wrapping) number, &ge; 0
     * @param payload the state's value (may be empty)
     */
    record Deliver(int stateId, int publisherVnfId, long updateNo, byte[] payload) implements VnfMessage {
        public Deliver {
            Wire.checkStateId(stateId);
            Wire.checkVnfId(publisherVnfId);
            Wire.checkUpdateNo(updateNo, "updateNo");
            payload = Wire.checkNotNull(payload, "payload").clone();
        }

        /** A copy of the payload. */
        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** The payload's length in bytes, without copying it. */
        public int payloadLength() {
            return payload.length;
        }

        /** The payload itself, for the codec only: must not be modified. */
        byte[] payloadNoCopy() {
            return payload;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Deliver d
                    && stateId == d.stateId && publisherVnfId == d.publisherVnfId
                    && updateNo == d.updateNo && Arrays.equals(payload, d.payload);
        }

        @Override
        public int hashCode() {
            int h = 31 * stateId + publisherVnfId;
            h = 31 * h + Long.hashCode(updateNo);
            return 31 * h + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Deliver[stateId=" + stateId + ", publisherVnfId=" + publisherVnfId
                    + ", updateNo=" + updateNo + ", payload=" + payload.length + " bytes]";
        }
    }

    /**
     * Middleware &rarr; VNF: updates {@code firstUpdate..lastUpdate} (inclusive) of a subscribed
     * state were lost, and what is being done about it. Recovered updates arrive as ordinary
     * {@link Deliver}s before the {@link Outcome#RECOVERED} notice.
     *
     * @param stateId the state, 0..{@link io.stare.protocol.address.StareAddress#MAX_STATE_ID}
     * @param firstUpdate first lost extended update number, &ge; 0
     * @param lastUpdate last lost extended update number, &ge; firstUpdate
     * @param outcome the recovery's progress
     */
    record LossNotice(int stateId, long firstUpdate, long lastUpdate, Outcome outcome) implements VnfMessage {

        /** Where recovery of the lost updates stands. The wire carries {@link #code()} as a u8. */
        public enum Outcome {
            /** The middleware has asked the replica controller for the updates. */
            RECOVERING(1),
            /** Every lost update has been delivered. */
            RECOVERED(2),
            /** The updates are gone for good (e.g. truncated from the backlog). */
            UNRECOVERABLE(3);

            private final int code;

            Outcome(int code) {
                this.code = code;
            }

            /** The wire value, 1..255. */
            public int code() {
                return code;
            }

            /** The outcome with this wire value, or {@code null} when there is none. */
            public static Outcome fromCode(int code) {
                for (Outcome o : values()) {
                    if (o.code == code) {
                        return o;
                    }
                }
                return null;
            }
        }

        public LossNotice {
            Wire.checkStateId(stateId);
            Wire.checkUpdateNo(firstUpdate, "firstUpdate");
            Wire.checkUpdateNo(lastUpdate, "lastUpdate");
            if (lastUpdate < firstUpdate) {
                throw new IllegalArgumentException(
                        "lastUpdate " + lastUpdate + " is below firstUpdate " + firstUpdate);
            }
            Wire.checkNotNull(outcome, "outcome");
        }
    }
}
