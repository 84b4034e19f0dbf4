package io.stare.protocol.control;

import io.stare.protocol.ErrorCode;

/**
 * Asks the controller for a globally unique VNF ID for a VNF attached to a middleware. Answered by
 * {@link VnfRegistered}, or {@link ControlFailure} with
 * {@link ErrorCode#ID_SPACE_EXHAUSTED} when all VNF IDs are taken.
 *
 * @param vnfName the VNF instance's name, unique per middleware; 1..255 UTF-8 bytes, not blank
 * @param middlewareId the requesting middleware; 1..255 UTF-8 bytes, not blank
 */
public record RegisterVnf(String vnfName, String middlewareId) implements ControlRequest {

    public RegisterVnf {
        ControlChecks.name("vnfName", vnfName);
        ControlChecks.name("middlewareId", middlewareId);
    }
}
