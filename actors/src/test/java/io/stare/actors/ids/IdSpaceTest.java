package io.stare.actors.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class IdSpaceTest {

    @Test
    void theSameNameAlwaysGetsTheSameId() {
        IdSpace space = new IdSpace("VNF", 1023);
        IdSpace.Assigned first = assertInstanceOf(IdSpace.Assigned.class, space.assign("tracker-1"));
        IdSpace.Assigned second = assertInstanceOf(IdSpace.Assigned.class, space.assign("tracker-2"));
        IdSpace.Assigned again = assertInstanceOf(IdSpace.Assigned.class, space.assign("tracker-1"));
        assertEquals(0, first.id());
        assertEquals(1, second.id());
        assertEquals(new IdSpace.Assigned("tracker-1", 0, false), again);
        assertTrue(first.isNew());
        assertEquals(OptionalInt.of(1), space.lookup("tracker-2"));
        assertEquals("tracker-2", space.nameOf(1).orElseThrow());
    }

    @Test
    void replayedAssignmentsSurviveARestart() {
        IdSpace before = new IdSpace("state", 100);
        before.assign("a");
        before.assign("b");
        IdSpace after = new IdSpace("state", 100);
        after.restore("a", 0);
        after.restore("b", 1);
        assertEquals(new IdSpace.Assigned("b", 1, false), after.assign("b"));
        assertEquals(new IdSpace.Assigned("c", 2, true), after.assign("c"), "new names continue after the replay");
        assertThrows(IllegalStateException.class, () -> after.restore("a", 5));
        assertThrows(IllegalArgumentException.class, () -> after.restore("z", -1));
    }

    @Test
    void aFullSpaceRefusesNewNamesButStillAnswersKnownOnes() {
        IdSpace space = new IdSpace("VNF", 1);
        space.assign("a");
        space.assign("b");
        IdSpace.Exhausted full = assertInstanceOf(IdSpace.Exhausted.class, space.assign("c"));
        assertTrue(full.message().contains("all 2 VNF IDs are assigned"), full.message());
        assertEquals(new IdSpace.Assigned("a", 0, false), space.assign("a"));
    }

    @Test
    void theNamesUnderAPrefixComeInOrderAndNoOthers() {
        IdSpace space = new IdSpace("state", 100);
        for (String name : java.util.List.of("estate/ids/b", "estate/fw/0", "estate/ids/a", "estate/idsx", "e")) {
            space.assign(name);
        }
        assertEquals(java.util.List.of("estate/ids/a", "estate/ids/b"),
                space.namesStartingWith("estate/ids/").toList());
        assertEquals(java.util.List.of(), space.namesStartingWith("zzz").toList());
        assertEquals(5, space.namesStartingWith("e").count());
    }
}
