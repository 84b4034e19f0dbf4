package io.stare.bench.faults;

/**
 * A fault scenario cannot run on this machine (it needs root to mount a file system or create a
 * network namespace, or a service that is not there): the suite skips it and says why.
 */
public final class ScenarioUnavailable extends Exception {

    private static final long serialVersionUID = 1L;

    /** @param reason what is missing, for the skip message */
    public ScenarioUnavailable(String reason) {
        super(reason);
    }
}
