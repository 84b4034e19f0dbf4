package io.stare.state.global;

/**
 * A hand-over STARE did not carry (a publish refused: back-pressured, too large, the VNF not
 * attached): no peer heard it, and the items are the handing instance's again, so nothing is lost
 * and the hand-over may be tried again.
 */
public final class HandOverRefusedException extends RuntimeException {

    public HandOverRefusedException(String message) {
        super(message);
    }
}
