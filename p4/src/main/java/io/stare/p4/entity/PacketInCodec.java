package io.stare.p4.entity;

import com.google.protobuf.ByteString;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.program.P4Values;
import java.util.OptionalLong;
import p4.v1.PacketIn;
import p4.v1.PacketMetadata;

/**
 * A packet-in on the StreamChannel: the {@code packet_in} controller header as metadata (ids and
 * widths of {@link CpuHeaders.PacketIn.Field}), then the payload.
 */
public final class PacketInCodec {

    /** A packet-in as the controller sees it; the payload is copied in and out. */
    public record Received(CpuHeaders.PacketIn header, byte[] payload) {
        public Received {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }
    }

    static final PacketInCodec INSTANCE = new PacketInCodec();

    private PacketInCodec() {
    }

    /** The packet-in carrying {@code header} and {@code payload}, every field canonical. */
    public PacketIn encode(CpuHeaders.PacketIn header, byte[] payload) {
        PacketIn.Builder packet = PacketIn.newBuilder().setPayload(ByteString.copyFrom(payload));
        for (CpuHeaders.PacketIn.Field field : CpuHeaders.PacketIn.Field.values()) {
            packet.addMetadata(PacketMetadata.newBuilder().setMetadataId(field.id())
                    .setValue(P4Values.canonical(header.get(field))));
        }
        return packet.build();
    }

    /**
     * The header and payload of a packet-in. {@code ingress_port} and {@code reason} must be there
     * (a switch always sends them), the others default to 0; a value wider than its field or an
     * unknown reason is refused; metadata of ids the header does not have are ignored.
     */
    public Decoded<Received> decode(PacketIn packet) {
        CpuHeaders.PacketIn.Field[] fields = CpuHeaders.PacketIn.Field.values();
        long[] values = new long[fields.length];
        boolean[] seen = new boolean[fields.length];
        for (PacketMetadata metadata : packet.getMetadataList()) {
            for (CpuHeaders.PacketIn.Field field : fields) {
                if (field.id() == metadata.getMetadataId()) {
                    OptionalLong value = P4Values.parse(metadata.getValue(), field.bitWidth());
                    if (value.isEmpty()) {
                        return Decoded.invalid("packet_in." + field + " does not fit " + field.bitWidth() + " bits");
                    }
                    values[field.ordinal()] = value.getAsLong();
                    seen[field.ordinal()] = true;
                }
            }
        }
        if (!seen[CpuHeaders.PacketIn.Field.INGRESS_PORT.ordinal()] || !seen[CpuHeaders.PacketIn.Field.REASON.ordinal()]) {
            return Decoded.invalid("a packet-in needs ingress_port and reason");
        }
        long code = values[CpuHeaders.PacketIn.Field.REASON.ordinal()];
        for (CpuHeaders.Reason reason : CpuHeaders.Reason.values()) {
            if (reason.code() == code) {
                return Decoded.ok(new Received(new CpuHeaders.PacketIn(
                        (int) values[CpuHeaders.PacketIn.Field.INGRESS_PORT.ordinal()], reason,
                        (int) values[CpuHeaders.PacketIn.Field.COUNT.ordinal()],
                        values[CpuHeaders.PacketIn.Field.INDEX.ordinal()],
                        values[CpuHeaders.PacketIn.Field.VALUE.ordinal()]), packet.getPayload().toByteArray()));
            }
        }
        return Decoded.invalid("packet_in.reason " + code + " is not assigned");
    }
}
