package io.stare.p4.entity;

import com.google.protobuf.ByteString;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.program.P4Values;
import java.util.OptionalLong;
import p4.v1.PacketMetadata;
import p4.v1.PacketOut;

/**
 * A packet-out on the StreamChannel: the {@code packet_out} controller header as metadata (ids and
 * widths of {@link CpuHeaders.PacketOut.Field}), then the payload.
 */
public final class PacketOutCodec {

    /** A packet-out as the switch sees it; the payload is copied in and out. */
    public record Outgoing(CpuHeaders.PacketOut header, byte[] payload) {
        public Outgoing {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }
    }

    static final PacketOutCodec INSTANCE = new PacketOutCodec();

    private PacketOutCodec() {
    }

    /** The packet-out carrying {@code header} and {@code payload}, every field (the padding too) canonical. */
    public PacketOut encode(CpuHeaders.PacketOut header, byte[] payload) {
        PacketOut.Builder out = PacketOut.newBuilder().setPayload(ByteString.copyFrom(payload));
        for (CpuHeaders.PacketOut.Field field : CpuHeaders.PacketOut.Field.values()) {
            out.addMetadata(PacketMetadata.newBuilder().setMetadataId(field.id())
                    .setValue(P4Values.canonical(header.get(field))));
        }
        return out.build();
    }

    /**
     * The header and payload of a packet-out, if its metadata carry each of {@code op},
     * {@code egress_port}, {@code count} and {@code index} exactly once (the padding may be left
     * out), each within its width, and nothing else: a packet-out the switch cannot read whole is
     * refused, never forwarded with zeros in place of what is missing.
     */
    public Decoded<Outgoing> decode(PacketOut packet) {
        CpuHeaders.PacketOut.Field[] fields = CpuHeaders.PacketOut.Field.values();
        long[] values = new long[fields.length];
        boolean[] seen = new boolean[fields.length];
        for (PacketMetadata metadata : packet.getMetadataList()) {
            CpuHeaders.PacketOut.Field field = null;
            for (CpuHeaders.PacketOut.Field candidate : fields) {
                if (candidate.id() == metadata.getMetadataId()) {
                    field = candidate;
                }
            }
            if (field == null) {
                return Decoded.invalid("packet_out has no metadata field with id " + metadata.getMetadataId());
            }
            if (seen[field.ordinal()]) {
                return Decoded.invalid("packet_out." + field + " is given twice");
            }
            OptionalLong value = P4Values.parse(metadata.getValue(), field.bitWidth());
            if (value.isEmpty()) {
                return Decoded.invalid("packet_out." + field + " does not fit " + field.bitWidth() + " bits");
            }
            seen[field.ordinal()] = true;
            values[field.ordinal()] = value.getAsLong();
        }
        for (CpuHeaders.PacketOut.Field field : fields) {
            if (!seen[field.ordinal()] && field != CpuHeaders.PacketOut.Field.PAD) {
                return Decoded.invalid("packet_out metadata must carry each of op, egress_port, count and index; "
                        + field + " is missing");
            }
        }
        long code = values[CpuHeaders.PacketOut.Field.OP.ordinal()];
        for (CpuHeaders.Op op : CpuHeaders.Op.values()) {
            if (op.code() == code) {
                return Decoded.ok(new Outgoing(new CpuHeaders.PacketOut(op,
                        (int) values[CpuHeaders.PacketOut.Field.EGRESS_PORT.ordinal()],
                        (int) values[CpuHeaders.PacketOut.Field.COUNT.ordinal()],
                        values[CpuHeaders.PacketOut.Field.INDEX.ordinal()]), packet.getPayload().toByteArray()));
            }
        }
        return Decoded.invalid("packet_out.op " + code + " is not assigned");
    }
}
