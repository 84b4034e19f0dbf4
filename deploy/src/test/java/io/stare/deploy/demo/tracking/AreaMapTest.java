package io.stare.deploy.demo.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AreaMapTest {

    @Test
    void thePaperTestbedIsFourAreasInALine() {
        AreaMap m = AreaMap.paperTestbed();
        assertEquals(List.of("area-1", "area-2", "area-3", "area-4"), m.areas());
        assertEquals(Set.of("area-2"), m.neighbours("area-1"));
        assertEquals(Set.of("area-1", "area-3"), m.neighbours("area-2"));
        assertEquals(Set.of("area-2", "area-3", "area-4"), m.neighbourhood("area-3"));
        assertEquals(OptionalDouble.of(400), m.distance("area-1", "area-2"));
        assertEquals(OptionalDouble.of(400), m.distance("area-2", "area-1"));
        assertEquals(OptionalDouble.of(1200), m.distance("area-1", "area-4"));
        assertEquals(OptionalDouble.of(0), m.distance("area-3", "area-3"));
    }

    @Test
    void distancesAreShortestWalks() {
        AreaMap m = AreaMap.parse("a b 100; b c 100\na c 500   # a detour\nd");
        assertEquals(OptionalDouble.of(200), m.distance("a", "c"));
        assertEquals(Set.of("a", "b"), m.neighbours("c"));
        assertEquals(OptionalDouble.empty(), m.distance("a", "d"));
        assertEquals(Set.of(), m.neighbours("d"));
        assertEquals(Set.of("b", "c"), m.within("a", 200));
        assertEquals(Set.of("b"), m.within("a", 199));
    }

    @Test
    void theDefinitionReadsBack() {
        for (String def : List.of(AreaMap.PAPER_TESTBED, "a b 100; b c 12.5\nd", "x")) {
            AreaMap m = AreaMap.parse(def);
            assertEquals(m, AreaMap.parse(m.definition()));
            assertEquals(m.areas(), AreaMap.parse(m.definition()).areas());
        }
    }

    @Test
    void repeatingAnEdgeWithTheSameDistanceIsAccepted() {
        AreaMap m = AreaMap.parse("a b 100\nb a 100");
        assertEquals(OptionalDouble.of(100), m.distance("a", "b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "# nothing", "a b", "a b c d", "a b -1", "a b 0", "a b NaN", "a b Infinity",
        "a b far", "a a 10", "a b 10\nb a 20", "a/b", "a b 10; c$ d 10"})
    void malformedDefinitions(String def) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AreaMap.parse(def));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void errorsNameTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AreaMap.parse("a b 10\n\nb c x"));
        assertTrue(e.getMessage().startsWith("line 3"), e.getMessage());
    }

    @Test
    void unknownAreas() {
        AreaMap m = AreaMap.paperTestbed();
        assertThrows(IllegalArgumentException.class, () -> m.neighbours("area-9"));
        assertThrows(IllegalArgumentException.class, () -> m.distance("area-1", "area-9"));
        assertTrue(!m.contains("area-9") && m.contains("area-4"));
    }
}
