package io.stare.testing;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Whether a program a test needs (python3, openssl) runs on this machine. */
public final class Commands {

    private Commands() {
    }

    /** Whether {@code command} (e.g. {@code python3 --version}) starts and exits 0 within 10 s. */
    public static boolean runs(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
