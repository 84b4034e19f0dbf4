package io.stare.deploy.cli;

/**
 * Input the user can correct (an undecodable address, a bad hex dump, a missing file). The tool
 * prints its message as one line and exits with {@link #EXIT_CODE}, never with a stack trace.
 */
public final class UserInputException extends RuntimeException {

    /** Exit code for input errors, distinct from picocli's 2 for bad flags. */
    public static final int EXIT_CODE = 1;

    public UserInputException(String message) {
        super(message);
    }
}
