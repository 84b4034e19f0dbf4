package io.stare.state.global;

import io.stare.state.store.Change;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * What an instance publishes on its STARE state {@code estate/<nf>/<instance>}: the shared items'
 * changes of one flush period, a whole snapshot (also its heartbeat), or its leaving with its last
 * snapshot, or some of its items handed to another instance. Every change is absolute, so a replica
 * applies them in any number without harm.
 *
 * @param kind what the message is
 * @param instance the sender
 * @param sequence the sender's count of messages, from 1
 * @param replyAddress where the sender answers request/reply reads ({@code host:port}, or empty)
 * @param adopter with {@link Kind#LEAVE} and {@link Kind#HANDOVER}: the instance that adopts the
 *     sender's items (empty: none)
 * @param counting the peers the sender counts (has whole replicas of): a leaver waits until its
 *     adopter counts it, so the adopter hears the leave
 * @param adopted the hand-overs (leaves included) the sender has adopted since its last message:
 *     its changes up to this message hold the adopted items, so the peers stop holding them apart
 * @param changes absolute changes of the sender's shared items
 */
public record PeerMessage(Kind kind, String instance, long sequence, String replyAddress, String adopter,
                          List<String> counting, List<Handed> adopted, List<Change> changes) {

    private static final int VERSION = 2;

    /** A hand-over: the message {@code sequence} of instance {@code from}. */
    public record Handed(String from, long sequence) {
        public Handed {
            Objects.requireNonNull(from, "from");
        }
    }

    /** What a message is. */
    public enum Kind {
        /** The changes of one flush period. */
        CHANGES,
        /** Every shared item whole: a replica that starts from nothing has it all. */
        SNAPSHOT,
        /** The sender leaves, with its last snapshot: its adopter adopts its items; it stops counting. */
        LEAVE,
        /**
         * Some items leave the sender for its adopter (scale-out: their flows moved there): the
         * changes are the items whole; the sender has dropped them, the adopter adds them to its own.
         */
        HANDOVER
    }

    public PeerMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(replyAddress, "replyAddress");
        Objects.requireNonNull(adopter, "adopter");
        counting = List.copyOf(counting);
        adopted = List.copyOf(adopted);
        if (counting.size() > 0xFFFF || adopted.size() > 0xFFFF) {
            throw new IllegalArgumentException("at most 65535 counted peers and adopted hand-overs in a message");
        }
        changes = List.copyOf(changes);
    }

    /** The message's bytes. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(kind.ordinal());
            out.writeUTF(instance);
            out.writeLong(sequence);
            out.writeUTF(replyAddress);
            out.writeUTF(adopter);
            out.writeShort(counting.size());
            for (String peer : counting) {
                out.writeUTF(peer);
            }
            out.writeShort(adopted.size());
            for (Handed handed : adopted) {
                out.writeUTF(handed.from());
                out.writeLong(handed.sequence());
            }
            ChangeCodec.write(out, changes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The message {@link #encode} wrote.
     *
     * @throws ChangeCodec.MalformedChangesException for anything else
     */
    public static PeerMessage decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int version = in.get();
            if (version != VERSION) {
                throw new ChangeCodec.MalformedChangesException("version " + version + ", not " + VERSION);
            }
            int kind = in.get();
            if (kind < 0 || kind >= Kind.values().length) {
                throw new ChangeCodec.MalformedChangesException("kind " + kind);
            }
            String instance = utf(in);
            long sequence = in.getLong();
            String reply = utf(in);
            String adopter = utf(in);
            int peers = Short.toUnsignedInt(in.getShort());
            List<String> counting = new java.util.ArrayList<>(Math.min(peers, 1024));
            for (int i = 0; i < peers; i++) {
                counting.add(utf(in));
            }
            int handovers = Short.toUnsignedInt(in.getShort());
            List<Handed> adopted = new java.util.ArrayList<>(Math.min(handovers, 1024));
            for (int i = 0; i < handovers; i++) {
                adopted.add(new Handed(utf(in), in.getLong()));
            }
            List<Change> changes = ChangeCodec.read(in);
            if (in.hasRemaining()) {
                throw new ChangeCodec.MalformedChangesException(in.remaining() + " bytes after the changes");
            }
            return new PeerMessage(Kind.values()[kind], instance, sequence, reply, adopter, counting, adopted, changes);
        } catch (BufferUnderflowException e) {
            throw new ChangeCodec.MalformedChangesException("truncated");
        }
    }

    private static String utf(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        if (length > in.remaining()) {
            throw new ChangeCodec.MalformedChangesException("a string of " + length + " bytes, " + in.remaining()
                    + " left");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8); // writeUTF's modified UTF-8 equals UTF-8 for our IDs
    }
}
