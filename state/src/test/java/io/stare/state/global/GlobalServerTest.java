package io.stare.state.global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.stare.client.StateCodec;
import io.stare.state.CounterMapState;
import io.stare.state.Mode;
import io.stare.state.StateSettings;
import io.stare.state.StateSpace;
import io.stare.state.store.Change;
import io.stare.state.store.memory.MemoryStore;
import io.stare.testing.TestTime;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * E-State's request/reply server over real loopback sockets: it answers a regex with the matching
 * shared items; a request that is no frame, too long or no regex closes only its own connection
 * and is counted; connections past the limit are refused and counted; closing the server ends the
 * connections peers hold open (a read blocked on one kept the server's close waiting 5 s, and the
 * connection open for good).
 */
class GlobalServerTest {

    private MemoryStore store;
    private StateSpace space;
    private GlobalServer server;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        store = new MemoryStore();
        space = StateSpace.over(new StateSettings("ids", "0", Mode.ASYNC, Duration.ofMillis(1), 1_000,
                ConfigFactory.empty()), store, System::currentTimeMillis);
        CounterMapState<String> matches = space.partition(0).counterMap("matches", StateCodec.utf8());
        space.share(matches);
        matches.addTo("flow-a", 3).toCompletableFuture().get();
        server = GlobalServer.start(space, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket client : clients) {
            client.close();
        }
        server.close();
        space.close();
        store.close();
    }

    private Socket connect() throws IOException {
        String address = server.address();
        Socket client = new Socket(InetAddress.getLoopbackAddress(),
                Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
        client.setSoTimeout((int) TestTime.dilated(Duration.ofSeconds(10)).toMillis());
        clients.add(client);
        return client;
    }

    private static List<Change> ask(Socket client, String regex) throws IOException {
        DataOutputStream out = new DataOutputStream(client.getOutputStream());
        byte[] request = regex.getBytes(StandardCharsets.UTF_8);
        out.writeInt(request.length);
        out.write(request);
        out.flush();
        DataInputStream in = new DataInputStream(client.getInputStream());
        byte[] answer = new byte[in.readInt()];
        in.readFully(answer);
        return ChangeCodec.decode(answer);
    }

    private static void assertClosedByServer(Socket client) throws IOException {
        assertEquals(-1, client.getInputStream().read(), "the server closed the connection");
    }

    @Test
    void aRegexIsAnsweredWithTheMatchingSharedItemsWhole() throws Exception {
        Socket client = connect();
        List<Change> answer = ask(client, "match.*");
        assertTrue(answer.stream().anyMatch(c -> c instanceof Change.SetField f && f.value() == 3), answer.toString());
        assertEquals(List.of(), ask(client, "other"), "nothing matches");
        assertEquals(2, server.answered());
    }

    @Test
    void hostileRequestsCloseOnlyTheirOwnConnectionAndAreCounted() throws Exception {
        byte[][] hostile = {
            {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, // length -1
            {0x7F, 0, 0, 0}, // a length far past the limit
            {0, 0, 0, 1, '('}, // no regex
        };
        Socket good = connect();
        for (byte[] request : hostile) {
            Socket bad = connect();
            bad.getOutputStream().write(request);
            bad.getOutputStream().flush();
            assertClosedByServer(bad);
            clients.remove(bad);
            bad.close();
        }
        assertEquals(3, server.refused());
        assertEquals(1, ask(good, "matches").stream().filter(c -> c instanceof Change.SetField).count(),
                "a good peer is still answered");
    }

    @Test
    void connectionsPastTheLimitAreRefusedAndCounted() throws Exception {
        Socket first = connect();
        Socket second = connect();
        ask(first, "matches");
        ask(second, "matches"); // both served: the limit of 2 is taken
        Socket third = connect();
        assertClosedByServer(third);
        assertEquals(1, server.refused());
        assertEquals(1, ask(first, "matches").stream().filter(c -> c instanceof Change.SetField).count());
    }

    @Test
    void closingTheServerEndsTheConnectionsPeersHoldOpen() throws Exception {
        Socket held = connect();
        ask(held, "matches"); // served, and now its thread waits for the next request
        server.close();
        assertClosedByServer(held);
    }

    @Test
    void aRegexThatBacktracksForEverIsStoppedAndRefused() throws Exception {
        space.partition(0).counter("a".repeat(40)).add(1).toCompletableFuture().get();
        space.share(space.partition(0).counter("a".repeat(40)));
        Socket good = connect();
        Socket bad = connect();
        DataOutputStream out = new DataOutputStream(bad.getOutputStream());
        // About 40^12 ways to fail on 40 a's (Java's engine memoizes (a+)+b, not this).
        byte[] request = "(.*a){12}b".getBytes(StandardCharsets.UTF_8);
        out.writeInt(request.length);
        out.write(request);
        out.flush();
        assertClosedByServer(bad);
        assertEquals(1, server.refused());
        assertEquals(1, ask(good, "matches").stream().filter(c -> c instanceof Change.SetField).count(),
                "a good peer is still answered");
    }

    @Test
    void aConnectionIdlePastTheTimeoutIsClosedAndAPeerReadsOnThroughANewOne() throws Exception {
        server.close();
        server = GlobalServer.start(space, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2,
                Duration.ofMillis(300));
        Socket idle = connect();
        ask(idle, "matches");
        assertClosedByServer(idle); // after 300 ms of silence
        assertEquals(1, server.idleClosed());
        assertEquals(0, server.refused(), "idle is not hostile");

        try (StateSpace reader = StateSpace.over(new StateSettings("ids", "1", Mode.ASYNC, Duration.ofMillis(1),
                1_000, ConfigFactory.empty()), new MemoryStore(), System::currentTimeMillis);
             RequestReplyView view = new RequestReplyView(reader, () -> java.util.Map.of("0", server.address()),
                     ThreeHosts.GLOBAL)) {
            assertEquals(3L, view.getGlobal("matches", Reduce.sum()).toCompletableFuture().get());
            io.stare.testing.TestTime.eventually(Duration.ofSeconds(10), server::idleClosed, n -> n == 2);
            assertEquals(3L, view.getGlobal("matches", Reduce.sum()).toCompletableFuture().get(),
                    "read through a new connection");
        }
    }
}
