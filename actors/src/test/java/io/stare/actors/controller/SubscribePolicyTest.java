package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscribePolicyTest {

    @Test
    void noRuleLetsEveryoneSubscribe() {
        assertTrue(SubscribePolicy.OPEN.allows("anyone", "anything"));
        assertEquals(SubscribePolicy.OPEN, ControllerSettings.fromConfig(ConfigFactory.load()).subscribePolicy());
    }

    @Test
    void withRulesOnlyAMatchingRuleLetsASubscriptionThrough() {
        SubscribePolicy policy = new SubscribePolicy(List.of(
                new SubscribePolicy.Rule("ids-*", List.of("flows-*", "alerts")),
                new SubscribePolicy.Rule("monitor", List.of("*"))));
        assertTrue(policy.allows("ids-1", "flows-eth0"));
        assertTrue(policy.allows("ids-1", "alerts"));
        assertFalse(policy.allows("ids-1", "alerts-old"), "a pattern matches the whole name");
        assertFalse(policy.allows("firewall", "flows-eth0"), "no rule for the VNF");
        assertTrue(policy.allows("monitor", "anything"));
        assertFalse(policy.allows("monitor-2", "anything"));
        assertFalse(new SubscribePolicy(List.of(new SubscribePolicy.Rule("a.b", List.of("s")))).allows("axb", "s"),
                "only * is special");
    }

    @Test
    void rulesComeFromTheControllersConfigurationAndIncompleteOnesAreRefused() {
        SubscribePolicy policy = ControllerSettings.fromConfig(ConfigFactory.parseString(
                "stare.controller.subscribe-policy = [ { vnfs = \"ids-*\", states = [\"flows-*\"] } ]")
                .withFallback(ConfigFactory.load())).subscribePolicy();
        assertEquals(List.of(new SubscribePolicy.Rule("ids-*", List.of("flows-*"))), policy.rules());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () ->
                ControllerSettings.fromConfig(ConfigFactory.parseString(
                        "stare.controller.subscribe-policy = [ { vnfs = \"ids-*\" } ]").withFallback(ConfigFactory.load())));
        assertTrue(missing.getMessage().contains("states"), missing.getMessage());
    }
}
