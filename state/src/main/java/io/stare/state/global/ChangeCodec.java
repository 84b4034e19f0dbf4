package io.stare.state.global;

import io.stare.state.store.StateKey;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes as bytes: what an instance publishes to its peers (over STARE) and answers requests
 * with (request/reply). Big-endian; a tag byte per change, the key as text, then the change's
 * fields. {@link #decode} refuses anything malformed with {@link MalformedChangesException}.
 */
public final class ChangeCodec {

    private static final int MAX_CHANGES = 1 << 20;
    private static final int MAX_BYTES = 64 << 20;

    private ChangeCodec() {
    }

    /** The bytes of {@code changes}. */
    public static byte[] encode(List<Change> changes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, changes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** Writes {@code changes} to {@code out}. */
    public static void write(DataOutputStream out, List<Change> changes) throws IOException {
        out.writeInt(changes.size());
        for (Change change : changes) {
            writeOne(out, change);
        }
    }

    private static void writeOne(DataOutputStream out, Change change) throws IOException {
        if (change instanceof Change.PutValue c) {
            head(out, 1, c.key());
            blob(out, c.value());
        } else if (change instanceof Change.Delete c) {
            head(out, 2, c.key());
        } else if (change instanceof Change.SetCounter c) {
            head(out, 3, c.key());
            out.writeLong(c.value());
        } else if (change instanceof Change.AddToCounter c) {
            head(out, 4, c.key());
            out.writeLong(c.delta());
        } else if (change instanceof Change.Append c) {
            head(out, 5, c.key());
            out.writeInt(c.values().size());
            for (byte[] v : c.values()) {
                blob(out, v);
            }
        } else if (change instanceof Change.AddMember c) {
            head(out, 6, c.key());
            blob(out, c.member().toArray());
        } else if (change instanceof Change.RemoveMember c) {
            head(out, 7, c.key());
            blob(out, c.member().toArray());
        } else if (change instanceof Change.PutField c) {
            head(out, 8, c.key());
            blob(out, c.field().toArray());
            blob(out, c.value());
        } else if (change instanceof Change.SetField c) {
            head(out, 9, c.key());
            blob(out, c.field().toArray());
            out.writeLong(c.value());
        } else if (change instanceof Change.AddToField c) {
            head(out, 10, c.key());
            blob(out, c.field().toArray());
            out.writeLong(c.delta());
        } else if (change instanceof Change.RemoveField c) {
            head(out, 11, c.key());
            blob(out, c.field().toArray());
        } else {
            throw new IllegalArgumentException("no encoding for " + change);
        }
    }

    private static void head(DataOutputStream out, int tag, StateKey key) throws IOException {
        out.writeByte(tag);
        blob(out, key.render().getBytes(StandardCharsets.UTF_8));
    }

    private static void blob(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** The changes {@link #encode} wrote. */
    public static List<Change> decode(byte[] bytes) {
        return read(ByteBuffer.wrap(bytes));
    }

    /** Reads changes at {@code in}'s position. */
    public static List<Change> read(ByteBuffer in) {
        try {
            int count = in.getInt();
            if (count < 0 || count > MAX_CHANGES) {
                throw new MalformedChangesException("a count of " + count + " changes");
            }
            List<Change> changes = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                changes.add(readOne(in));
            }
            return changes;
        } catch (BufferUnderflowException e) {
            throw new MalformedChangesException("truncated");
        } catch (IllegalArgumentException e) { // a key that does not parse, a change of the wrong type
            throw new MalformedChangesException(e.getMessage());
        }
    }

    private static Change readOne(ByteBuffer in) {
        int tag = in.get();
        StateKey key = StateKey.parse(new String(blob(in), StandardCharsets.UTF_8));
        switch (tag) {
            case 1:
                return new Change.PutValue(key, blob(in));
            case 2:
                return new Change.Delete(key);
            case 3:
                return new Change.SetCounter(key, in.getLong());
            case 4:
                return new Change.AddToCounter(key, in.getLong());
            case 5: {
                int n = in.getInt();
                if (n < 0 || n > MAX_CHANGES) {
                    throw new MalformedChangesException("a list of " + n + " values");
                }
                List<byte[]> values = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    values.add(blob(in));
                }
                return new Change.Append(key, values);
            }
            case 6:
                return new Change.AddMember(key, Bytes.of(blob(in)));
            case 7:
                return new Change.RemoveMember(key, Bytes.of(blob(in)));
            case 8:
                return new Change.PutField(key, Bytes.of(blob(in)), blob(in));
            case 9:
                return new Change.SetField(key, Bytes.of(blob(in)), in.getLong());
            case 10:
                return new Change.AddToField(key, Bytes.of(blob(in)), in.getLong());
            case 11:
                return new Change.RemoveField(key, Bytes.of(blob(in)));
            default:
                throw new MalformedChangesException("unknown change tag " + tag);
        }
    }

    private static byte[] blob(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > MAX_BYTES || length > in.remaining()) {
            throw new MalformedChangesException("a field of " + length + " bytes, " + in.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    /** Bytes that are no encoding of changes. */
    public static final class MalformedChangesException extends RuntimeException {
        public MalformedChangesException(String message) {
            super(message);
        }
    }
}
