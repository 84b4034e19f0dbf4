package io.stare.protocol.vnf;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes {@link VnfMessage}s to frames and decodes frame bodies, for the TCP connection between a
 * VNF and its local middleware. For a byte stream use {@link VnfFrameDecoder}.
 *
 * <p>Every frame is a length prefix, a type byte and a body (all integers big-endian, unsigned
 * unless marked i64):
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Frame Length N (u32, 1..max)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Frame Type   |             Body (N - 1 bytes)              ...
 *  +-+-+-+-+-+-+-+-+                                             ...
 *  ...                                                             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  str     = u16 byte length L, then L bytes of UTF-8 (no terminator)
 *  payload = u32 byte length L, then L bytes; always the last field of its body
 * </pre>
 *
 * <p>Bodies by {@link FrameType} (field widths in bytes):
 *
 * <pre>
 *  HELLO                 'S' 'T' 'A' 'R' (4) | minVersion (2) | maxVersion (2) | clientName str
 *  HELLO_ACK             version (2) | serverName str | maxFrameBytes (4)
 *  ERROR                 requestId (4) | code (1) | message str
 *  REGISTER_VNF          requestId (4) | vnfName str [| token str [| flags (1): bit 0 move]]
 *  VNF_REGISTERED        requestId (4) | vnfName str | vnfId (2)
 *  DECLARE_PUBLISH_STATE requestId (4) | stateName str
 *  STATE_DECLARED        requestId (4) | stateName str | stateId (4)
 *  LOOKUP_STATE          requestId (4) | stateName str
 *  STATE_FOUND           requestId (4) | stateName str | stateId (4)
 *  SUBSCRIBE             requestId (4) | stateName str [| resumeFrom (8, i64)]
 *  SUBSCRIBED            requestId (4) | stateName str | stateId (4)
 *  UNSUBSCRIBE           requestId (4) | stateId (4)
 *  UNSUBSCRIBED          requestId (4) | stateId (4)
 *  LIST_STATES           requestId (4) | prefix str                                    (version 2)
 *  STATES_LISTED         requestId (4) | prefix str | complete (1) | count (2) | count × stateName str
 *  PUBLISH               requestId (4) | stateId (4) | payload
 *  PUBLISHED             requestId (4) | stateId (4) | updateNo (8, i64)
 *  DELIVER               stateId (4) | publisherVnfId (2) | updateNo (8, i64) | payload
 *  LOSS_NOTICE           stateId (4) | firstUpdate (8, i64) | lastUpdate (8, i64) | outcome (1)
 * </pre>
 *
 * <p>State IDs travel as u32 although they have 22 bits, and VNF IDs as u16 for 10 bits: byte
 * alignment keeps non-Java clients simple, and the decoder refuses the unused high values as
 * {@code OUT_OF_RANGE}. A body must be consumed exactly; trailing bytes are {@code MALFORMED}.
 *
 * <p>Decoding never throws: bad bodies come back as {@link DecodeResult.Failure}.
 */
public final class VnfFrameCodec {

    /** TCP port the middleware listens on for its local VNFs (the paper's INIT thread). */
    public static final int DEFAULT_PORT = 65431;
    /** The newest protocol version this code speaks (2 added LIST_STATES and STATES_LISTED). */
    public static final int PROTOCOL_VERSION = 2;
    /** The oldest protocol version this code still speaks. */
    public static final int MIN_PROTOCOL_VERSION = 1;
    /** Bytes of the length prefix. */
    public static final int LENGTH_PREFIX_BYTES = 4;
    /** Default limit on a frame's length N (type + body): 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /**
     * The smallest frame limit a peer may configure or advertise. Every message without a payload
     * (the largest is an Error with a 1024-byte message, 1032 bytes) fits well below it.
     */
    public static final int MIN_MAX_FRAME_BYTES = 4096;
    /** The largest frame limit this implementation supports (a Java array must hold the frame). */
    public static final int MAX_MAX_FRAME_BYTES = Integer.MAX_VALUE - 16;
    /** Longest name (VNF, state, client, server) in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    /** Longest Error message in UTF-8 bytes. */
    public static final int MAX_ERROR_MESSAGE_BYTES = 1024;
    /**
     * Bytes of a DELIVER frame's length N besides its payload (type 1, stateId 4, vnfId 2,
     * updateNo 8, payload length 4). DELIVER is the larger of the two payload frames, so a payload
     * of at most {@code maxFrameBytes - PAYLOAD_FRAME_OVERHEAD} bytes fits both PUBLISH and DELIVER.
     */
    public static final int PAYLOAD_FRAME_OVERHEAD = 19;

    /** The magic opening a HELLO body: ASCII "STAR". */
    private static final byte[] MAGIC = {'S', 'T', 'A', 'R'};

    private VnfFrameCodec() {
    }

    /** The largest payload that fits both a PUBLISH and a DELIVER frame under the given limit. */
    public static long maxPayloadBytes(long maxFrameBytes) {
        return Math.max(0, maxFrameBytes - PAYLOAD_FRAME_OVERHEAD);
    }

    /** Checks a frame limit given to a decoder or encoder. */
    static int checkMaxFrameBytes(long maxFrameBytes) {
        if (maxFrameBytes < MIN_MAX_FRAME_BYTES || maxFrameBytes > MAX_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " is out of range "
                    + MIN_MAX_FRAME_BYTES + ".." + MAX_MAX_FRAME_BYTES);
        }
        return (int) maxFrameBytes;
    }

    // ---------------------------------------------------------------- encoding

    /**
     * The complete frame (length prefix included) for a message, refusing frames above
     * {@link #DEFAULT_MAX_FRAME_BYTES}.
     *
     * @throws IllegalArgumentException when the frame would exceed the limit
     */
    public static byte[] encode(VnfMessage message) {
        return encode(message, DEFAULT_MAX_FRAME_BYTES);
    }

    /**
     * The complete frame (length prefix included) for a message, refusing frames whose length N
     * exceeds {@code maxFrameBytes} (for example the limit from the peer's {@link VnfMessage.HelloAck}):
     * the peer would drop the connection on such a frame.
     *
     * @throws IllegalArgumentException when the frame would exceed the limit
     */
    public static byte[] encode(VnfMessage message, long maxFrameBytes) {
        Writer w = new Writer(sizeHint(message), (int) Math.min(maxFrameBytes, MAX_MAX_FRAME_BYTES));
        FrameType type = FrameType.of(message);
        w.u32(0); // length, patched below
        w.u8(type.code());
        switch (type) {
            case HELLO -> {
                var m = (VnfMessage.Hello) message;
                w.bytes(MAGIC);
                w.u16(m.minVersion());
                w.u16(m.maxVersion());
                w.str(m.clientName());
            }
            case HELLO_ACK -> {
                var m = (VnfMessage.HelloAck) message;
                w.u16(m.version());
                w.str(m.serverName());
                w.u32(m.maxFrameBytes());
            }
            case ERROR -> {
                var m = (VnfMessage.Error) message;
                w.u32(m.requestId());
                w.u8(m.code().wire());
                w.str(m.message());
            }
            case REGISTER_VNF -> {
                var m = (VnfMessage.RegisterVnf) message;
                w.u32(m.requestId());
                w.str(m.vnfName());
                if (!m.token().isEmpty() || m.move()) {
                    w.str(m.token()); // absent means none: version 1 clients stay valid; empty before flags
                }
                if (m.move()) {
                    w.u8(VnfMessage.RegisterVnf.MOVE);
                }
            }
            case VNF_REGISTERED -> {
                var m = (VnfMessage.VnfRegistered) message;
                w.u32(m.requestId());
                w.str(m.vnfName());
                w.u16(m.vnfId());
            }
            case DECLARE_PUBLISH_STATE -> {
                var m = (VnfMessage.DeclarePublishState) message;
                w.u32(m.requestId());
                w.str(m.stateName());
            }
            case STATE_DECLARED -> {
                var m = (VnfMessage.StateDeclared) message;
                w.u32(m.requestId());
                w.str(m.stateName());
                w.u32(m.stateId());
            }
            case LOOKUP_STATE -> {
                var m = (VnfMessage.LookupState) message;
                w.u32(m.requestId());
                w.str(m.stateName());
            }
            case STATE_FOUND -> {
                var m = (VnfMessage.StateFound) message;
                w.u32(m.requestId());
                w.str(m.stateName());
                w.u32(m.stateId());
            }
            case LIST_STATES -> {
                var m = (VnfMessage.ListStates) message;
                w.u32(m.requestId());
                w.str(m.prefix());
            }
            case STATES_LISTED -> {
                var m = (VnfMessage.StatesListed) message;
                w.u32(m.requestId());
                w.str(m.prefix());
                w.u8(m.complete() ? 1 : 0);
                w.u16(m.stateNames().size());
                for (String name : m.stateNames()) {
                    w.str(name);
                }
            }
            case SUBSCRIBE -> {
                var m = (VnfMessage.Subscribe) message;
                w.u32(m.requestId());
                w.str(m.stateName());
                if (m.resumeFrom() != VnfMessage.Subscribe.FROM_NOW) {
                    w.i64(m.resumeFrom()); // absent means from now: version 1 clients stay valid
                }
            }
            case SUBSCRIBED -> {
                var m = (VnfMessage.Subscribed) message;
                w.u32(m.requestId());
                w.str(m.stateName());
                w.u32(m.stateId());
            }
            case UNSUBSCRIBE -> {
                var m = (VnfMessage.Unsubscribe) message;
                w.u32(m.requestId());
                w.u32(m.stateId());
            }
            case UNSUBSCRIBED -> {
                var m = (VnfMessage.Unsubscribed) message;
                w.u32(m.requestId());
                w.u32(m.stateId());
            }
            case PUBLISH -> {
                var m = (VnfMessage.Publish) message;
                w.u32(m.requestId());
                w.u32(m.stateId());
                w.payload(m.payloadNoCopy());
            }
            case PUBLISHED -> {
                var m = (VnfMessage.Published) message;
                w.u32(m.requestId());
                w.u32(m.stateId());
                w.i64(m.updateNo());
            }
            case DELIVER -> {
                var m = (VnfMessage.Deliver) message;
                w.u32(m.stateId());
                w.u16(m.publisherVnfId());
                w.i64(m.updateNo());
                w.payload(m.payloadNoCopy());
            }
            case LOSS_NOTICE -> {
                var m = (VnfMessage.LossNotice) message;
                w.u32(m.stateId());
                w.i64(m.firstUpdate());
                w.i64(m.lastUpdate());
                w.u8(m.outcome().code());
            }
            default -> throw new AssertionError(type);
        }
        return w.finishFrame();
    }

    /** Exact for the payload frames (no copy of a large payload); roomy for the small ones. */
    private static int sizeHint(VnfMessage message) {
        if (message instanceof VnfMessage.Publish p) {
            return LENGTH_PREFIX_BYTES + 13 + p.payloadLength();
        }
        if (message instanceof VnfMessage.Deliver d) {
            return LENGTH_PREFIX_BYTES + PAYLOAD_FRAME_OVERHEAD + d.payloadLength();
        }
        return 1100; // above the largest non-payload frame, an Error of 4 + 1032 bytes
    }

    /** A growable big-endian byte array. */
    private static final class Writer {
        private final long limit;
        private byte[] buf;
        private int pos;

        Writer(int sizeHint, int maxFrameBytes) {
            this.limit = (long) LENGTH_PREFIX_BYTES + Math.max(0, maxFrameBytes);
            this.buf = new byte[(int) Math.min(Math.max(sizeHint, 0L), limit)];
        }

        private void ensure(int more) {
            long needed = (long) pos + more;
            if (needed > limit) {
                throw new IllegalArgumentException("frame length " + (needed - LENGTH_PREFIX_BYTES)
                        + "+ exceeds the limit of " + (limit - LENGTH_PREFIX_BYTES) + " bytes");
            }
            if (needed > buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(Math.max(needed, 2L * buf.length), limit));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[pos++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
        }

        void u32(long v) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        void i64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (v >>> shift);
            }
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        /** Records have already checked the length limits, so the u16 cannot overflow. */
        void str(String s) {
            byte[] utf8 = Wire.utf8(s, "string");
            u16(utf8.length);
            bytes(utf8);
        }

        void payload(byte[] p) {
            u32(p.length);
            bytes(p);
        }

        byte[] finishFrame() {
            int n = pos - LENGTH_PREFIX_BYTES;
            buf[0] = (byte) (n >>> 24);
            buf[1] = (byte) (n >>> 16);
            buf[2] = (byte) (n >>> 8);
            buf[3] = (byte) n;
            return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
        }
    }

    // ---------------------------------------------------------------- decoding

    /** Decodes one frame body (the bytes after the type byte). Never throws. */
    public static DecodeResult<VnfMessage> decode(int typeCode, byte[] body) {
        return decode(typeCode, ByteBuffer.wrap(body));
    }

    /**
     * Decodes one frame body: the bytes from {@code body}'s position to its limit, which must be
     * exactly the bytes after the type byte. The buffer's position is left unchanged. Never throws.
     */
    public static DecodeResult<VnfMessage> decode(int typeCode, ByteBuffer body) {
        FrameType type = FrameType.fromCode(typeCode);
        if (type == null) {
            return DecodeResult.fail(DecodeError.Kind.UNKNOWN_KIND, "unknown VNF frame type " + typeCode);
        }
        Reader r = new Reader(body.duplicate());
        try {
            VnfMessage message = readBody(type, r);
            r.expectEnd(type);
            return DecodeResult.ok(message);
        } catch (BodyError e) {
            return DecodeResult.fail(e.error);
        } catch (IllegalArgumentException e) {
            // Every rule is checked by the reader first; this is a safety net, not a path.
            return DecodeResult.fail(DecodeError.Kind.MALFORMED, type + ": " + e.getMessage());
        }
    }

    // Java evaluates constructor arguments left to right, so the fields below are read in order.
    private static VnfMessage readBody(FrameType type, Reader r) {
        return switch (type) {
            case HELLO -> readHello(r);
            case HELLO_ACK -> readHelloAck(r);
            case ERROR -> new VnfMessage.Error(r.u32(), r.errorCode(), r.str("message", 0, MAX_ERROR_MESSAGE_BYTES));
            case REGISTER_VNF -> {
                long requestId = r.u32();
                String vnfName = r.name("vnfName");
                String token = r.optionalToken();
                yield new VnfMessage.RegisterVnf(requestId, vnfName, token, r.optionalRegistrationFlags());
            }
            case VNF_REGISTERED -> new VnfMessage.VnfRegistered(r.u32(), r.name("vnfName"), r.vnfId("vnfId"));
            case DECLARE_PUBLISH_STATE -> new VnfMessage.DeclarePublishState(r.u32(), r.name("stateName"));
            case STATE_DECLARED -> new VnfMessage.StateDeclared(r.u32(), r.name("stateName"), r.stateId());
            case LOOKUP_STATE -> new VnfMessage.LookupState(r.u32(), r.name("stateName"));
            case STATE_FOUND -> new VnfMessage.StateFound(r.u32(), r.name("stateName"), r.stateId());
            case LIST_STATES -> new VnfMessage.ListStates(r.u32(), r.name("prefix"));
            case STATES_LISTED -> readStatesListed(r);
            case SUBSCRIBE -> new VnfMessage.Subscribe(r.u32(), r.name("stateName"), r.optionalResumePoint());
            case SUBSCRIBED -> new VnfMessage.Subscribed(r.u32(), r.name("stateName"), r.stateId());
            case UNSUBSCRIBE -> new VnfMessage.Unsubscribe(r.u32(), r.stateId());
            case UNSUBSCRIBED -> new VnfMessage.Unsubscribed(r.u32(), r.stateId());
            case PUBLISH -> new VnfMessage.Publish(r.u32(), r.stateId(), r.payload());
            case PUBLISHED -> new VnfMessage.Published(r.u32(), r.stateId(), r.updateNo("updateNo"));
            case DELIVER -> new VnfMessage.Deliver(
                    r.stateId(), r.vnfId("publisherVnfId"), r.updateNo("updateNo"), r.payload());
            case LOSS_NOTICE -> readLossNotice(r);
        };
    }

    private static VnfMessage readHello(Reader r) {
        byte[] magic = r.bytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new BodyError(DecodeError.Kind.MALFORMED, "HELLO: bad magic " + hex(magic) + ", expected 53544152");
        }
        int min = r.version("minVersion");
        int max = r.version("maxVersion");
        if (min > max) {
            throw new BodyError(DecodeError.Kind.MALFORMED, "HELLO: minVersion " + min + " > maxVersion " + max);
        }
        return new VnfMessage.Hello(min, max, r.name("clientName"));
    }

    private static VnfMessage readHelloAck(Reader r) {
        int version = r.version("version");
        String serverName = r.name("serverName");
        long maxFrameBytes = r.u32();
        if (maxFrameBytes < MIN_MAX_FRAME_BYTES) {
            throw new BodyError(DecodeError.Kind.OUT_OF_RANGE,
                    "HELLO_ACK: maxFrameBytes " + maxFrameBytes + " is below " + MIN_MAX_FRAME_BYTES);
        }
        return new VnfMessage.HelloAck(version, serverName, maxFrameBytes);
    }

    private static VnfMessage readStatesListed(Reader r) {
        long requestId = r.u32();
        String prefix = r.name("prefix");
        int complete = r.u8();
        if (complete > 1) {
            throw new BodyError(DecodeError.Kind.MALFORMED, "STATES_LISTED: complete is " + complete + ", not 0 or 1");
        }
        int count = r.u16("count");
        List<String> names = new ArrayList<>(Math.min(count, 1024));
        int bytes = 0;
        for (int i = 0; i < count; i++) {
            String name = r.name("stateNames[" + i + "]");
            bytes += 2 + name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > VnfMessage.StatesListed.MAX_NAMES_BYTES) {
                throw new BodyError(DecodeError.Kind.OVERSIZE, "STATES_LISTED: the names take more than "
                        + VnfMessage.StatesListed.MAX_NAMES_BYTES + " bytes");
            }
            names.add(name);
        }
        return new VnfMessage.StatesListed(requestId, prefix, names, complete == 1);
    }

    private static VnfMessage readLossNotice(Reader r) {
        int stateId = r.stateId();
        long first = r.updateNo("firstUpdate");
        long last = r.updateNo("lastUpdate");
        if (last < first) {
            throw new BodyError(DecodeError.Kind.MALFORMED,
                    "LOSS_NOTICE: lastUpdate " + last + " < firstUpdate " + first);
        }
        int code = r.u8();
        VnfMessage.LossNotice.Outcome outcome = VnfMessage.LossNotice.Outcome.fromCode(code);
        if (outcome == null) {
            throw new BodyError(DecodeError.Kind.OUT_OF_RANGE, "LOSS_NOTICE: unknown outcome " + code);
        }
        return new VnfMessage.LossNotice(stateId, first, last, outcome);
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }

    /** A typed decode error thrown inside the reader and caught at {@link #decode}; no stack trace. */
    private static final class BodyError extends RuntimeException {
        final DecodeError error;

        BodyError(DecodeError.Kind kind, String detail) {
            super(detail, null, false, false);
            this.error = new DecodeError(kind, detail);
        }
    }

    /** Reads big-endian fields from a body, throwing {@link BodyError} on any rule broken. */
    private static final class Reader {
        private final ByteBuffer in;

        Reader(ByteBuffer in) {
            this.in = in;
        }

        private void need(int bytes, String field) {
            if (in.remaining() < bytes) {
                throw new BodyError(DecodeError.Kind.TRUNCATED,
                        field + " needs " + bytes + " bytes, body has " + in.remaining() + " left");
            }
        }

        int u8() {
            need(1, "u8 field");
            return in.get() & 0xff;
        }

        int u16(String field) {
            need(2, field);
            return in.getShort() & 0xffff;
        }

        long u32() {
            need(4, "u32 field");
            return in.getInt() & 0xFFFF_FFFFL;
        }

        /** A trailing token string (0..255 bytes; empty only before flags) if the body has one, else "". */
        String optionalToken() {
            if (!in.hasRemaining()) {
                return "";
            }
            String token = str("token", 0, MAX_NAME_BYTES);
            if (token.isEmpty() && !in.hasRemaining()) {
                throw new BodyError(DecodeError.Kind.MALFORMED, "token must not be empty");
            }
            return token;
        }

        /** REGISTER_VNF's trailing flags if the body has them: whether the VNF moves. */
        boolean optionalRegistrationFlags() {
            if (!in.hasRemaining()) {
                return false;
            }
            int flags = u8();
            if ((flags & ~VnfMessage.RegisterVnf.MOVE) != 0) {
                throw new BodyError(DecodeError.Kind.OUT_OF_RANGE, "REGISTER_VNF flags " + flags + " has unknown bits");
            }
            return flags == VnfMessage.RegisterVnf.MOVE;
        }

        /** A trailing i64 update number if the body has one, else {@link VnfMessage.Subscribe#FROM_NOW}. */
        long optionalResumePoint() {
            if (!in.hasRemaining()) {
                return VnfMessage.Subscribe.FROM_NOW;
            }
            need(8, "resumeFrom");
            long resumeFrom = in.getLong();
            if (resumeFrom < 0) {
                throw new BodyError(DecodeError.Kind.OUT_OF_RANGE, "resumeFrom " + resumeFrom + " is negative");
            }
            return resumeFrom;
        }

        byte[] bytes(int n) {
            need(n, n + "-byte field");
            byte[] b = new byte[n];
            in.get(b);
            return b;
        }

        int version(String field) {
            int v = u16(field);
            if (v == 0) {
                throw new BodyError(DecodeError.Kind.OUT_OF_RANGE, field + " 0 is reserved");
            }
            return v;
        }

        int stateId() {
            long v = u32();
            if (v > StareAddress.MAX_STATE_ID) {
                throw new BodyError(DecodeError.Kind.OUT_OF_RANGE,
                        "stateId " + v + " is above " + StareAddress.MAX_STATE_ID);
            }
            return (int) v;
        }

        int vnfId(String field) {
            int v = u16(field);
            if (v > StareHeader.MAX_VNF_ID) {
                throw new BodyError(DecodeError.Kind.OUT_OF_RANGE,
                        field + " " + v + " is above " + StareHeader.MAX_VNF_ID);
            }
            return v;
        }

        long updateNo(String field) {
            need(8, field);
            long v = in.getLong();
            if (v < 0) {
                throw new BodyError(DecodeError.Kind.OUT_OF_RANGE, field + " " + v + " is negative");
            }
            return v;
        }

        ErrorCode errorCode() {
            int code = u8();
            ErrorCode c = ErrorCode.fromWire(code);
            if (c == null) {
                throw new BodyError(DecodeError.Kind.OUT_OF_RANGE, "unknown error code " + code);
            }
            return c;
        }

        String name(String field) {
            return str(field, 1, MAX_NAME_BYTES);
        }

        String str(String field, int minBytes, int maxBytes) {
            int length = u16(field + " length");
            if (length > maxBytes) {
                throw new BodyError(DecodeError.Kind.OVERSIZE,
                        field + " is " + length + " bytes, at most " + maxBytes + " allowed");
            }
            if (length < minBytes) {
                throw new BodyError(DecodeError.Kind.MALFORMED, field + " must not be empty");
            }
            need(length, field);
            ByteBuffer utf8 = in.slice();
            utf8.limit(length);
            in.position(in.position() + length);
            try {
                return Wire.fromUtf8(utf8);
            } catch (CharacterCodingException e) {
                throw new BodyError(DecodeError.Kind.MALFORMED, field + " is not valid UTF-8");
            }
        }

        /** A payload is the body's last field and must fill it exactly. */
        byte[] payload() {
            long length = u32();
            if (length != in.remaining()) {
                throw new BodyError(length > in.remaining() ? DecodeError.Kind.TRUNCATED : DecodeError.Kind.MALFORMED,
                        "payload length " + length + " but " + in.remaining() + " bytes remain in the body");
            }
            byte[] p = new byte[(int) length];
            in.get(p);
            return p;
        }

        void expectEnd(FrameType type) {
            if (in.hasRemaining()) {
                throw new BodyError(DecodeError.Kind.MALFORMED,
                        type + ": " + in.remaining() + " unexpected bytes after the body");
            }
        }
    }
}
