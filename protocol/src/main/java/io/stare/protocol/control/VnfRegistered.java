package io.stare.protocol.control;

/**
 * The VNF ID assigned in answer to {@link RegisterVnf}.
 *
 * @param vnfName the name the request gave
 * @param vnfId the assigned ID, 0..1023 (the 10-bit VNF_ID of the STARE header)
 */
public record VnfRegistered(String vnfName, int vnfId) implements ControlReply {

    public VnfRegistered {
        ControlChecks.name("vnfName", vnfName);
        ControlChecks.vnfId("vnfId", vnfId);
    }
}
