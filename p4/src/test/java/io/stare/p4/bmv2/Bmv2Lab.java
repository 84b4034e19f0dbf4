package io.stare.p4.bmv2;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.Optional;

/**
 * The network namespace a BMv2 suite starts its switches in, one per suite; where BMv2 cannot run
 * (not Linux, not root, no {@code ip}, {@code python3} or {@code simple_switch_grpc}) every test is
 * skipped with the reason (reported per test, unlike a class-level skip).
 */
final class Bmv2Lab implements AutoCloseable {

    private final NetworkNamespace namespace;

    Bmv2Lab(int ports) throws IOException {
        this.namespace = Host.missing().isEmpty() ? NetworkNamespace.create(ports) : null;
    }

    /** A fresh BMv2 in the namespace, or the test skipped with what is missing. */
    SwitchTarget start() throws Exception {
        Optional<String> missing = Host.missing();
        assumeTrue(missing.isEmpty(), missing::get);
        return Bmv2Target.start(namespace);
    }

    @Override
    public void close() {
        if (namespace != null) {
            namespace.close();
        }
    }
}
