package io.stare.bench.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Bytes written as UTF-8 text to a command's {@link PrintWriter}, a line at a time. JMH prints to a
 * {@code PrintStream}, the tool's commands to picocli's writer (which tests capture); buffering up to
 * each newline keeps a multi-byte character such as JMH's "±" from being cut in two.
 */
final class WriterOutputStream extends OutputStream {

    private final PrintWriter out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    WriterOutputStream(PrintWriter out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) {
        line.write(b);
        if (b == '\n') {
            drain();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() {
        drain();
        out.flush();
    }

    private void drain() {
        if (line.size() > 0) {
            out.write(line.toString(StandardCharsets.UTF_8));
            line.reset();
        }
    }
}
