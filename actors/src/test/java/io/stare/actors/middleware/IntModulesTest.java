package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.typesafe.config.ConfigFactory;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.frame.ServerFrames;
import io.stare.protocol.header.StareHeader;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Which INT modules the main path routes each state to, computed from the directory and the SUB register. */
class IntModulesTest {

    private static final int LOCAL_STATE = 5;
    private static final int REMOTE_STATE = 6;

    private final IntModules modules = new IntModules();
    private final LocalDirectory directory = new LocalDirectory();
    private final SubRegister subRegister = new SubRegister(MiddlewareSettings.fromConfig(ConfigFactory.load())
            .forServer("h1", 1, new InetSocketAddress("127.0.0.1", 9)), () -> 0L);

    private IntModule attach(int vnfId) {
        IntModule module = new IntModule(vnfId, null, 16, new LongAdder(), new LongAdder(), 1, (m, read) -> { });
        modules.put(vnfId, new IntModules.Attached("vnf-" + vnfId, null, module));
        return module;
    }

    @Test
    void aStatePublishedHereReachesItsLocalSubscribersWithoutTheNetwork() {
        attach(1);
        IntModule two = attach(2);
        IntModule three = attach(3);
        directory.declarePublisher(1, LOCAL_STATE);
        directory.subscribe(2, LOCAL_STATE);
        directory.subscribe(3, LOCAL_STATE);
        assertEquals(Map.of(LOCAL_STATE, List.of(two, three)), modules.routes(directory, subRegister));
    }

    @Test
    void aStateFromTheNetworkIsRoutedOnlyOnceItsSubRegisterIsAcknowledged() {
        IntModule one = attach(1);
        IntModule two = attach(2);
        directory.subscribe(1, REMOTE_STATE);
        byte[] register = ((SubRegister.Register) subRegister.subscribe(REMOTE_STATE, 9,
                new Middleware.Subscribe(1, "s", null), true)).frame();
        assertEquals(Map.of(), modules.routes(directory, subRegister));

        StareHeader sent = ServerFrames.decode(register).orElseThrow().header();
        subRegister.acked(new StareHeader(MessageKind.SUB_ACK, REMOTE_STATE, sent.updateNo(), sent.vnfId(), 1, 0));
        subRegister.activate(subRegister.registration(REMOTE_STATE), 0);
        assertEquals(Map.of(REMOTE_STATE, List.of(one)), modules.routes(directory, subRegister));

        // A second local VNF joins the active registration: answered and routed at once.
        directory.subscribe(2, REMOTE_STATE);
        subRegister.subscribe(REMOTE_STATE, 9, new Middleware.Subscribe(2, "s", null), false);
        assertEquals(Map.of(REMOTE_STATE, List.of(one, two)), modules.routes(directory, subRegister));
    }

    @Test
    void aDetachedSubscriberIsNotRouted() {
        attach(1);
        IntModule two = attach(2);
        directory.declarePublisher(1, LOCAL_STATE);
        directory.subscribe(2, LOCAL_STATE);
        directory.subscribe(4, LOCAL_STATE); // in the directory, not (or no longer) attached
        assertEquals(Map.of(LOCAL_STATE, List.of(two)), modules.routes(directory, subRegister));
        modules.remove(2);
        assertEquals(Map.of(LOCAL_STATE, List.of()), modules.routes(directory, subRegister));
    }

    @Test
    void theMainPathLearnsWhichModuleServesEachVnf() {
        IntModule one = attach(1);
        attach(2);
        assertSame(one, modules.modulesByVnf().get(1));
        modules.remove(2);
        assertNull(modules.modulesByVnf().get(2));
        assertFalse(modules.attached(2));
        assertEquals(0, modules.inboundDropped());
    }
}
