package io.stare.protocol.control;

/**
 * A VNF asks which declared states' names start with {@code prefix} (E-State's instances find
 * their peers' states this way). Answered by {@link StatesListed}.
 *
 * @param prefix the names' beginning; 1..255 UTF-8 bytes, not blank
 * @param askingVnf the name of the VNF that asks: with a subscribe policy, only the states it may
 *     subscribe to are listed; "" lists every match
 */
public record ListStates(String prefix, String askingVnf) implements ControlRequest {

    public ListStates {
        ControlChecks.name("prefix", prefix);
        if (askingVnf == null) {
            askingVnf = "";
        }
    }
}
