package io.stare.actors.controller;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which VNFs may subscribe to which states, as rules of a VNF-name pattern and state-name
 * patterns ({@code *} matches any run of characters, everything else itself). No rule: every VNF
 * may subscribe to every state, the default for a deployment whose VNFs trust each other. With
 * rules, a subscription goes through only if a rule matches both the VNF's and the state's name.
 * The replica controller applies it when a middleware looks a state up for a subscriber.
 *
 * @param rules the rules, in any order
 */
public record SubscribePolicy(List<Rule> rules) {

    /** Every VNF may subscribe to every state. */
    public static final SubscribePolicy OPEN = new SubscribePolicy(List.of());

    /**
     * VNFs whose name matches {@code vnfs} may subscribe to states whose name matches one of
     * {@code states}.
     */
    public record Rule(String vnfs, List<String> states) {
        public Rule {
            if (vnfs == null || vnfs.isBlank() || states == null || states.isEmpty()
                    || states.stream().anyMatch(s -> s == null || s.isBlank())) {
                throw new IllegalArgumentException("a subscribe-policy rule needs a vnfs pattern and at least one "
                        + "states pattern, got vnfs=" + vnfs + ", states=" + states);
            }
            states = List.copyOf(states);
        }

        boolean matches(String vnfName, String stateName) {
            return glob(vnfs).matcher(vnfName).matches()
                    && states.stream().anyMatch(state -> glob(state).matcher(stateName).matches());
        }
    }

    public SubscribePolicy {
        rules = List.copyOf(rules);
    }

    /** Whether {@code vnfName} may subscribe to {@code stateName}. */
    public boolean allows(String vnfName, String stateName) {
        return rules.isEmpty() || rules.stream().anyMatch(rule -> rule.matches(vnfName, stateName));
    }

    /**
     * Reads {@code subscribe-policy} of the controller's section: a list of
     * {@code {vnfs = PATTERN, states = [PATTERN, ...]}}.
     *
     * @throws IllegalArgumentException naming the rule that is incomplete
     */
    static SubscribePolicy fromConfig(Config controller) {
        if (!controller.hasPath("subscribe-policy")) {
            return OPEN;
        }
        List<Rule> rules = new ArrayList<>();
        for (Config rule : controller.getConfigList("subscribe-policy")) {
            rules.add(new Rule(rule.hasPath("vnfs") ? rule.getString("vnfs") : null,
                    rule.hasPath("states") ? rule.getStringList("states") : null));
        }
        return new SubscribePolicy(rules);
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String literal : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(literal));
        }
        return Pattern.compile(regex.toString());
    }
}
