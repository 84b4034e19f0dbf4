package io.stare.actors.middleware.gateway;

import static io.stare.actors.middleware.gateway.GatewayFabric.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.vnf.VnfMessage;
import io.stare.protocol.ErrorCode;
import io.stare.testing.TestTime;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The handshake deadline: a silent connection cannot hold a session slot. */
@Timeout(60)
class VnfGatewayHandshakeTest {

    private static GatewayFabric fabric;
    private static VnfGateway quick;

    @BeforeAll
    static void start() throws Exception {
        fabric = new GatewayFabric(1024);
        GatewaySettings settings = GatewaySettings.fromConfig(fabric.testKit.system().settings().config())
                .withAddress("127.0.0.1", 0).withHandshakeTimeout(Duration.ofMillis(300));
        quick = await(VnfGateway.start(fabric.testKit.system(), fabric.middlewares.get(0), settings));
    }

    @AfterAll
    static void stop() throws Exception {
        await(quick.close());
        fabric.close();
    }

    @Test
    void aConnectionWithoutHelloIsRefusedAndClosedAtTheDeadline() throws Exception {
        try (TcpVnf silent = new TcpVnf(quick.localAddress())) {
            VnfMessage.Error error = assertInstanceOf(VnfMessage.Error.class, silent.next());
            assertEquals(ErrorCode.BAD_REQUEST, error.code());
            assertTrue(error.message().contains("no HELLO"), error.message());
            silent.awaitClosed();
        }
        assertEquals(1, quick.counters().handshakeTimeouts());
        assertEquals(1, quick.counters().errors(ErrorCode.BAD_REQUEST));
    }

    @Test
    void aVnfThatSaidHelloInTimeOutlivesTheDeadline() throws Exception {
        try (TcpVnf prompt = new TcpVnf(quick.localAddress())) {
            prompt.call(new VnfMessage.Hello(1, 1, "prompt"), VnfMessage.HelloAck.class);
            Thread.sleep(600); // twice the deadline
            prompt.call(new VnfMessage.RegisterVnf(prompt.nextRequestId(), "prompt"), VnfMessage.VnfRegistered.class);
        }
    }

    @Test
    void aConnectionThatHangsUpEndsItsSessionAtOnceNotAtTheDeadline() throws Exception {
        long before = fabric.gateway.counters().open(); // this gateway's deadline is the default 10 s
        new TcpVnf(fabric.gateway.localAddress()).close();
        TestTime.eventually(Duration.ofSeconds(3), () -> assertEquals(before, fabric.gateway.counters().open(),
                "the session ended with its connection"));
    }
}
