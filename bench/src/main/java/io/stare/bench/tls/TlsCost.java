package io.stare.bench.tls;

import io.stare.bench.scale.Percentiles;

/**
 * One figure of {@code stare bench tls}: the same measurement in plain text and over TLS, on the
 * same machine in the same run.
 *
 * @param channel the gateway, P4Runtime or the cluster
 * @param what what was measured, with its unit
 * @param plain the figures in plain text (nanoseconds, or a rate where {@code what} says so)
 * @param tls the same over TLS 1.3 with mutual authentication
 */
public record TlsCost(String channel, String what, Percentiles plain, Percentiles tls) {
}
