package io.stare.protocol.control;

import io.stare.protocol.ErrorCode;

/**
 * Asks the controller for a globally unique VNF ID for a VNF attached to a middleware. Answered by
 * {@link VnfRegistered}, or {@link ControlFailure} with {@link ErrorCode#ID_SPACE_EXHAUSTED} when
 * all VNF IDs are taken, or {@link ErrorCode#NOT_AUTHORIZED} when the name is bound to another
 * middleware and the request does not move it.
 *
 * <p>A VNF name is bound to the middleware it first registered at: the same name at another
 * middleware would get the owner's ID and could publish on its states. It moves only when a
 * registration says so ({@code move}); from then on it is bound to the new middleware.
 *
 * @param vnfName the VNF instance's name, unique per middleware; 1..255 UTF-8 bytes, not blank
 * @param middlewareId the requesting middleware; 1..255 UTF-8 bytes, not blank
 * @param move whether the VNF moves here from the middleware its name is bound to
 */
public record RegisterVnf(String vnfName, String middlewareId, boolean move) implements ControlRequest {

    public RegisterVnf {
        ControlChecks.name("vnfName", vnfName);
        ControlChecks.name("middlewareId", middlewareId);
    }

    /** A registration that does not move the VNF. */
    public RegisterVnf(String vnfName, String middlewareId) {
        this(vnfName, middlewareId, false);
    }
}
