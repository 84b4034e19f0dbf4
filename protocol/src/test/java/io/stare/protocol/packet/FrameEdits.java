package io.stare.protocol.packet;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Hostile variations of valid STARE frames for the flyweight's properties: each edit aims at one of
 * the slow path's checks, and most repair the checksums afterwards so the frame gets past them to
 * the check the edit is about. Built byte by byte, without the code under test.
 */
final class FrameEdits {

    static final int IP = Ethernet.HEADER_LENGTH;

    /** What to do to a valid frame. */
    enum Edit {
        NONE, IPV4_OPTIONS, ZERO_UDP_CHECKSUM, PADDING, FLIP, FLIP_AND_FIX, TRUNCATE, ETHER_TYPE, IP_VERSION, IHL,
        TOTAL_LENGTH, PROTOCOL, DESTINATION, FRAGMENT, UDP_PORT, UDP_LENGTH, SHORT_UDP, SHORT_STARE, SEGMENT,
        KIND_OR_STATE, GARBAGE, GARBAGE_WITH_PREFIX
    }

    private FrameEdits() {
    }

    /** {@code frame} (left alone) with {@code edit} made, choices drawn from {@code random}. */
    static byte[] apply(Edit edit, byte[] frame, SplittableRandom random) {
        byte[] f = frame.clone();
        return switch (edit) {
            case NONE -> f;
            case IPV4_OPTIONS -> withOptions(f, random.nextInt(1, 11), random);
            case ZERO_UDP_CHECKSUM -> {
                f[IP + 26] = 0;
                f[IP + 27] = 0;
                yield f;
            }
            case PADDING -> {
                byte[] padded = Arrays.copyOf(f, f.length + random.nextInt(1, 40));
                for (int i = f.length; i < padded.length; i++) {
                    padded[i] = (byte) random.nextInt(256);
                }
                yield padded;
            }
            case FLIP -> flip(f, random);
            case FLIP_AND_FIX -> fixChecksums(flip(f, random));
            case TRUNCATE -> Arrays.copyOf(f, random.nextInt(f.length));
            case ETHER_TYPE -> {
                int type = random.nextBoolean() ? random.nextInt(0x0600) : random.nextInt(0x0600, 0x10000);
                f[12] = (byte) (type >>> 8);
                f[13] = (byte) type;
                yield f;
            }
            case IP_VERSION -> {
                f[IP] = (byte) (random.nextInt(16) << 4 | (f[IP] & 0x0f));
                yield fixChecksums(f);
            }
            case IHL -> {
                f[IP] = (byte) (f[IP] & 0xf0 | random.nextInt(16));
                yield fixChecksums(f);
            }
            case TOTAL_LENGTH -> {
                putShort(f, IP + 2, random.nextInt(0, f.length + 8 - IP));
                yield fixChecksums(f);
            }
            case PROTOCOL -> {
                f[IP + 9] = (byte) random.nextInt(256);
                yield fixChecksums(f);
            }
            case DESTINATION -> {
                f[IP + 16] = (byte) random.nextInt(256);
                yield fixChecksums(f);
            }
            case FRAGMENT -> {
                putShort(f, IP + 6, random.nextInt(0x10000));
                yield fixChecksums(f);
            }
            case UDP_PORT -> {
                putShort(f, IP + 22, random.nextBoolean() ? 65432 ^ (1 << random.nextInt(16)) : random.nextInt(0x10000));
                yield fixChecksums(f);
            }
            case UDP_LENGTH -> {
                putShort(f, IP + 24, random.nextInt(0x10000));
                yield fixChecksums(f);
            }
            case SHORT_UDP -> {
                // An IPv4 payload of 0..7 bytes: too short for the UDP header.
                byte[] cut = Arrays.copyOf(f, IP + 20 + random.nextInt(8));
                putShort(cut, IP + 2, cut.length - IP);
                yield fixChecksums(cut);
            }
            case SHORT_STARE -> {
                // A consistent UDP datagram of 8..15 bytes: too short for the STARE header.
                byte[] cut = Arrays.copyOf(f, IP + 28 + random.nextInt(8));
                putShort(cut, IP + 2, cut.length - IP);
                putShort(cut, IP + 24, cut.length - IP - 20);
                yield fixChecksums(cut);
            }
            case SEGMENT -> {
                // STARE bytes 5..7 are VNF_ID 10 | TOT_SEG-1 7 | SEGM_NO 7: redraw the last two fields.
                f[IP + 34] = (byte) (f[IP + 34] & 0xc0 | random.nextInt(64));
                f[IP + 35] = (byte) random.nextInt(256);
                yield fixChecksums(f);
            }
            case KIND_OR_STATE -> {
                int index = IP + 28 + random.nextInt(3);
                f[index] ^= (byte) (1 << random.nextInt(8));
                yield fixChecksums(f);
            }
            case GARBAGE -> randomBytes(random.nextInt(120), random);
            case GARBAGE_WITH_PREFIX -> {
                byte[] junk = randomBytes(random.nextInt(IP + 1, 120), random);
                junk[12] = 0x08;
                junk[13] = 0x00;
                if (junk.length > IP) {
                    junk[IP] = 0x45;
                }
                yield random.nextBoolean() ? fixChecksums(junk) : junk;
            }
        };
    }

    /** Adds {@code words} 32-bit words of IPv4 options (IHL 5 + words), lengths and checksums fixed. */
    static byte[] withOptions(byte[] frame, int words, SplittableRandom random) {
        int options = 4 * words;
        byte[] out = new byte[frame.length + options];
        System.arraycopy(frame, 0, out, 0, IP + 20);
        for (int i = 0; i < options; i++) {
            out[IP + 20 + i] = (byte) random.nextInt(256);
        }
        System.arraycopy(frame, IP + 20, out, IP + 20 + options, frame.length - IP - 20);
        out[IP] = (byte) (0x40 | (5 + words));
        int totalLength = (frame[IP + 2] & 0xff) << 8 | (frame[IP + 3] & 0xff);
        putShort(out, IP + 2, totalLength + options);
        return fixIpChecksum(out);
    }

    /**
     * Recomputes the IPv4 header checksum (over the IHL the frame states, when present) and then the
     * UDP checksum (over the UDP length it states, when present), so edits reach later checks.
     */
    static byte[] fixChecksums(byte[] frame) {
        fixIpChecksum(frame);
        if (frame.length < IP + 20) {
            return frame;
        }
        int udp = IP + (frame[IP] & 0x0f) * 4;
        if (udp + 8 > frame.length) {
            return frame;
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        int udpLength = b.getShort(udp + 4) & 0xffff;
        if (udp + udpLength > frame.length || udpLength < 8) {
            return frame;
        }
        b.putShort(udp + 6, (short) 0);
        int sum = Udp.checksum(b, udp, udpLength, b.getInt(IP + 12), b.getInt(IP + 16));
        b.putShort(udp + 6, (short) (sum == 0 ? 0xffff : sum));
        return frame;
    }

    static byte[] fixIpChecksum(byte[] frame) {
        int headerLength = frame.length > IP ? (frame[IP] & 0x0f) * 4 : 0;
        if (headerLength < 20 || IP + headerLength > frame.length) {
            return frame;
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        b.putShort(IP + 10, (short) 0);
        b.putShort(IP + 10, (short) InternetChecksum.of(b, IP, headerLength));
        return frame;
    }

    static byte[] randomBytes(int length, SplittableRandom random) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] flip(byte[] frame, SplittableRandom random) {
        int flips = random.nextInt(1, 4);
        for (int i = 0; i < flips && frame.length > 0; i++) {
            frame[random.nextInt(frame.length)] ^= (byte) random.nextInt(1, 256);
        }
        return frame;
    }

    private static void putShort(byte[] bytes, int index, int value) {
        bytes[index] = (byte) (value >>> 8);
        bytes[index + 1] = (byte) value;
    }
}
