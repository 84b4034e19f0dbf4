package io.stare.deploy.demo.tracking;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One device seen by one WiFi scanner: the device's anonymised MAC address (see {@link MacHasher}),
 * when the scanner heard its probe request, and how loud it was.
 *
 * @param device the hashed MAC address, 8 to 64 hexadecimal digits (stored lower case)
 * @param timestamp when the device was heard, epoch milliseconds, not negative
 * @param rssi the received signal strength in dBm, from {@value #MIN_RSSI} to {@value #MAX_RSSI}
 */
public record Sighting(String device, long timestamp, int rssi) {

    /** The weakest signal a scanner can report, in dBm. */
    public static final int MIN_RSSI = -120;
    /** The strongest signal a scanner can report, in dBm. */
    public static final int MAX_RSSI = 0;

    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{8,64}");

    public Sighting {
        Objects.requireNonNull(device, "device");
        if (!HEX.matcher(device).matches()) {
            throw new IllegalArgumentException("device must be 8 to 64 hex digits (a hashed MAC), got '" + device + "'");
        }
        device = device.toLowerCase(java.util.Locale.ROOT);
        if (timestamp < 0) {
            throw new IllegalArgumentException("timestamp must not be negative, got " + timestamp);
        }
        if (rssi < MIN_RSSI || rssi > MAX_RSSI) {
            throw new IllegalArgumentException(
                    "rssi must be in [" + MIN_RSSI + ", " + MAX_RSSI + "] dBm, got " + rssi);
        }
    }
}
