package io.stare.p4.pipeline;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import java.util.Arrays;

/**
 * The controller headers on the CPU port (docs/dataplane.md, "CPU port headers"), big-endian and
 * bit-packed exactly as the P4 programs' {@code packet_out} and {@code packet_in} headers:
 *
 * <pre>
 * packet_out (controller -&gt; switch), 8 bytes, then the payload
 *   op 8 | egress_port 9 | _pad 7 | count 8 | index 32
 * packet_in (switch -&gt; controller), 11 bytes, then the payload
 *   ingress_port 9 | reason 7 | count 8 | index 32 | value 32
 * </pre>
 *
 * The {@code Field} enums list the fields in header order with the ids the P4Info gives them as
 * {@code controller_packet_metadata} (1, 2, 3, ...), which the P4Runtime server uses for its
 * {@code PacketMetadata}.
 */
public final class CpuHeaders {

    /** The CPU port: packet-in and packet-out go through it. */
    public static final int CPU_PORT = 255;
    /** The largest value of a 9-bit port field. */
    public static final int MAX_PORT_FIELD = (1 << 9) - 1;
    /** The largest value of a 32-bit index or value field. */
    public static final long MAX_WORD = 0xffff_ffffL;

    private CpuHeaders() {
    }

    /** The {@code packet_out.op} codes. */
    public enum Op {
        /** Send the payload frame out of {@code egress_port}. */
        FORWARD(0),
        /** Answer with {@code count} values of {@code state_ports} from {@code index}. */
        READ(1),
        /** The payload holds {@code count} 32-bit values for {@code state_ports[index ..]}. */
        WRITE(2),
        /** Set {@code clone_flag} to {@code index} (0 or 1). */
        SET_CLONE_FLAG(3);

        private final int code;

        Op(int code) {
            this.code = code;
        }

        /** The 8-bit code on the wire. */
        public int code() {
            return code;
        }
    }

    /** The {@code packet_in.reason} codes. */
    public enum Reason {
        /** Embedded mode: a SUB-register or SUB-remove for the local controller. */
        SUB_PUNT(1),
        /** A SUB-ack from a neighbour, for the switch-to-switch ARQ. */
        SUB_ACK(2),
        /** A SUB message was propagated to the tree ports in {@code value}. */
        SUB_PROPAGATED(3),
        /** {@code clone_flag} is set and {@code state_ports[index]} changed to {@code value}. */
        STATE_CHANGED(4),
        /** Answer to READ or WRITE: {@code count} values from {@code index} in the payload. */
        REGISTER_VALUES(5);

        private final int code;

        Reason(int code) {
            this.code = code;
        }

        /** The 7-bit code on the wire. */
        public int code() {
            return code;
        }
    }

    /**
     * The {@code packet_out} header.
     *
     * @param op what the switch does with the packet
     * @param egressPort FORWARD: the port to send the payload out of, 0..511
     * @param count READ and WRITE: the number of values, 0..255 (the pipelines accept 1..8)
     * @param index READ and WRITE: the first {@code state_ports} index; SET_CLONE_FLAG: the flag
     */
    public record PacketOut(Op op, int egressPort, int count, long index) {

        /** Header length in bytes. */
        public static final int LENGTH = 8;

        /** The fields in header order, with their P4Info metadata ids and widths. */
        public enum Field {
            OP(1, 8), EGRESS_PORT(2, 9), PAD(3, 7), COUNT(4, 8), INDEX(5, 32);

            private final int id;
            private final int bitWidth;

            Field(int id, int bitWidth) {
                this.id = id;
                this.bitWidth = bitWidth;
            }

            /** The {@code controller_packet_metadata} id. */
            public int id() {
                return id;
            }

            /** The width in bits. */
            public int bitWidth() {
                return bitWidth;
            }
        }

        public PacketOut {
            if (op == null) {
                throw new IllegalArgumentException("op must not be null");
            }
            checkRange("egress_port", egressPort, MAX_PORT_FIELD);
            checkRange("count", count, 0xff);
            checkRange("index", index, MAX_WORD);
        }

        /** FORWARD the payload frame out of {@code port}. */
        public static PacketOut forward(int port) {
            return new PacketOut(Op.FORWARD, port, 0, 0);
        }

        /** The value of one field ({@code PAD} is always 0). */
        public long get(Field field) {
            return switch (field) {
                case OP -> op.code();
                case EGRESS_PORT -> egressPort;
                case PAD -> 0;
                case COUNT -> count;
                case INDEX -> index;
            };
        }

        /** The 8 header bytes. */
        public byte[] encode() {
            byte[] bytes = new byte[LENGTH];
            bytes[0] = (byte) op.code();
            bytes[1] = (byte) (egressPort >>> 1);
            bytes[2] = (byte) ((egressPort & 1) << 7); // then 7 bits of _pad, zero
            bytes[3] = (byte) count;
            putWord(bytes, 4, index);
            return bytes;
        }

        /** The header followed by {@code payload}: a whole packet-out message. */
        public byte[] encode(byte[] payload) {
            return concat(encode(), payload);
        }

        /**
         * Reads the header from the first {@value #LENGTH} bytes of {@code message}; what follows is
         * the payload. Fewer bytes is {@code TRUNCATED}, an unassigned op is {@code UNKNOWN_KIND}.
         * The {@code _pad} bits are ignored, as the P4 program ignores them.
         */
        public static DecodeResult<PacketOut> decode(byte[] message) {
            if (message.length < LENGTH) {
                return DecodeResult.fail(DecodeError.Kind.TRUNCATED,
                        "packet_out header needs " + LENGTH + " bytes, have " + message.length);
            }
            int code = message[0] & 0xff;
            if (code >= Op.values().length) {
                return DecodeResult.fail(DecodeError.Kind.UNKNOWN_KIND, "packet_out op " + code + " is not assigned");
            }
            int egressPort = (message[1] & 0xff) << 1 | (message[2] & 0xff) >>> 7;
            return DecodeResult.ok(new PacketOut(Op.values()[code], egressPort, message[3] & 0xff, getWord(message, 4)));
        }
    }

    /**
     * The {@code packet_in} header. Fields a reason does not use are 0.
     *
     * @param ingressPort the port the packet came in by, 0..511
     * @param reason why the packet is at the CPU
     * @param count REGISTER_VALUES: the number of 32-bit values in the payload, 0..255
     * @param index STATE_CHANGED, SUB_PROPAGATED: STATE_ID; REGISTER_VALUES: the first index
     * @param value STATE_CHANGED: the new bitmask; SUB_PROPAGATED: the propagation mask
     */
    public record PacketIn(int ingressPort, Reason reason, int count, long index, long value) {

        /** Header length in bytes. */
        public static final int LENGTH = 11;

        /** The fields in header order, with their P4Info metadata ids and widths. */
        public enum Field {
            INGRESS_PORT(1, 9), REASON(2, 7), COUNT(3, 8), INDEX(4, 32), VALUE(5, 32);

            private final int id;
            private final int bitWidth;

            Field(int id, int bitWidth) {
                this.id = id;
                this.bitWidth = bitWidth;
            }

            /** The {@code controller_packet_metadata} id. */
            public int id() {
                return id;
            }

            /** The width in bits. */
            public int bitWidth() {
                return bitWidth;
            }
        }

        public PacketIn {
            checkRange("ingress_port", ingressPort, MAX_PORT_FIELD);
            if (reason == null) {
                throw new IllegalArgumentException("reason must not be null");
            }
            checkRange("count", count, 0xff);
            checkRange("index", index, MAX_WORD);
            checkRange("value", value, MAX_WORD);
        }

        /** The value of one field. */
        public long get(Field field) {
            return switch (field) {
                case INGRESS_PORT -> ingressPort;
                case REASON -> reason.code();
                case COUNT -> count;
                case INDEX -> index;
                case VALUE -> value;
            };
        }

        /** The 11 header bytes. */
        public byte[] encode() {
            byte[] bytes = new byte[LENGTH];
            bytes[0] = (byte) (ingressPort >>> 1);
            bytes[1] = (byte) ((ingressPort & 1) << 7 | reason.code());
            bytes[2] = (byte) count;
            putWord(bytes, 3, index);
            putWord(bytes, 7, value);
            return bytes;
        }

        /** The header followed by {@code payload}: a whole packet-in message. */
        public byte[] encode(byte[] payload) {
            return concat(encode(), payload);
        }

        /**
         * Reads the header from the first {@value #LENGTH} bytes of {@code message}; what follows is
         * the payload. Fewer bytes is {@code TRUNCATED}, an unassigned reason is {@code UNKNOWN_KIND}.
         */
        public static DecodeResult<PacketIn> decode(byte[] message) {
            if (message.length < LENGTH) {
                return DecodeResult.fail(DecodeError.Kind.TRUNCATED,
                        "packet_in header needs " + LENGTH + " bytes, have " + message.length);
            }
            int code = message[1] & 0x7f;
            if (code < 1 || code > Reason.values().length) {
                return DecodeResult.fail(DecodeError.Kind.UNKNOWN_KIND, "packet_in reason " + code + " is not assigned");
            }
            int ingressPort = (message[0] & 0xff) << 1 | (message[1] & 0xff) >>> 7;
            return DecodeResult.ok(new PacketIn(ingressPort, Reason.values()[code - 1], message[2] & 0xff,
                    getWord(message, 3), getWord(message, 7)));
        }
    }

    /** The bytes after a header of {@code headerLength} bytes (empty if there are none). */
    public static byte[] payloadAfter(byte[] message, int headerLength) {
        return message.length <= headerLength ? new byte[0] : Arrays.copyOfRange(message, headerLength, message.length);
    }

    private static void checkRange(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " " + value + " is out of range 0.." + max);
        }
    }

    private static void putWord(byte[] bytes, int offset, long word) {
        bytes[offset] = (byte) (word >>> 24);
        bytes[offset + 1] = (byte) (word >>> 16);
        bytes[offset + 2] = (byte) (word >>> 8);
        bytes[offset + 3] = (byte) word;
    }

    private static long getWord(byte[] bytes, int offset) {
        return (bytes[offset] & 0xffL) << 24 | (bytes[offset + 1] & 0xff) << 16
                | (bytes[offset + 2] & 0xff) << 8 | (bytes[offset + 3] & 0xff);
    }

    private static byte[] concat(byte[] header, byte[] payload) {
        byte[] message = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, message, header.length, payload.length);
        return message;
    }
}
