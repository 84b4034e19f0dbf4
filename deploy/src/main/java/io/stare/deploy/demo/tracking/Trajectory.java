package io.stare.deploy.demo.tracking;

import java.util.Objects;

/**
 * A device's walk from one area to another, as inferred by a {@link TrajectoryTracker}.
 *
 * @param device the hashed MAC address
 * @param from the area the device left
 * @param to the area it arrived in
 * @param leftAt its last sighting in {@code from}, epoch milliseconds
 * @param arrivedAt its first sighting in {@code to} after that, epoch milliseconds
 * @param metres the walking distance between the two areas ({@link AreaMap#distance})
 * @param speed the average speed, {@code metres / (arrivedAt - leftAt)}, in metres per second
 */
public record Trajectory(String device, String from, String to, long leftAt, long arrivedAt,
                         double metres, double speed) {

    public Trajectory {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (arrivedAt <= leftAt) {
            throw new IllegalArgumentException("arrival " + arrivedAt + " is not after departure " + leftAt);
        }
    }

    /** The time between leaving and arriving, in milliseconds. */
    public long durationMillis() {
        return arrivedAt - leftAt;
    }
}
