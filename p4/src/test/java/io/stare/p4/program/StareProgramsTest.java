package io.stare.p4.program;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The constants the rest of the code sizes things by agree with the compiled programs. */
class StareProgramsTest {

    @Test
    void frontPortsIsTheWidthOfTheCompiledPortMask() throws Exception {
        StareProgram register = StareProgram.recognise(StarePrograms.config(StareProgram.Mode.REGISTER).getP4Info());
        int statePorts = register.registerId("state_ports").orElseThrow();
        assertEquals(StarePrograms.FRONT_PORTS, register.registerWidth(statePorts));
        assertEquals(StarePrograms.DEFAULT_STATE_CAPACITY, register.registerSize(statePorts));
    }
}
