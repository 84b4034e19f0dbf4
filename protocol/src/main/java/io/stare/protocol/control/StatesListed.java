package io.stare.protocol.control;

import java.util.List;

/**
 * The answer to {@link ListStates}: the matching names in order, at most {@link #MAX_NAMES}.
 *
 * @param prefix the prefix asked for
 * @param stateNames the declared states whose names start with it, sorted
 * @param complete false when more matched than {@link #MAX_NAMES}: a longer prefix lists the rest
 */
public record StatesListed(String prefix, List<String> stateNames, boolean complete) implements ControlReply {

    /** The most names one answer carries (with 255-byte names, about 64 KiB). */
    public static final int MAX_NAMES = 256;

    public StatesListed {
        ControlChecks.name("prefix", prefix);
        stateNames = ControlChecks.list("stateNames", stateNames);
        if (stateNames.size() > MAX_NAMES) {
            throw new IllegalArgumentException("stateNames holds " + stateNames.size() + " names, at most " + MAX_NAMES);
        }
        for (String name : stateNames) {
            ControlChecks.name("stateNames[]", name);
        }
    }
}
