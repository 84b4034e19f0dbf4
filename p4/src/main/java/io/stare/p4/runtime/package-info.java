/**
 * Hand-written helpers around the generated P4Runtime v1 classes.
 *
 * <p>The protobuf messages and the Pekko gRPC client and server stubs themselves are generated at
 * build time from {@code src/main/protobuf} into the packages {@code p4.v1} (P4Runtime service,
 * entities, stream messages; {@code P4RuntimeClient}, {@code P4RuntimeHandlerFactory}) and
 * {@code p4.config.v1} (P4Info). Field numbers follow the public P4Runtime v1 specification, so
 * the same classes talk to BMv2, Tofino and STARE's software switch.
 */
package io.stare.p4.runtime;
