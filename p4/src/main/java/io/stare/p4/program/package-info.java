/**
 * STARE's P4 programs as a controller and a switch both see them: {@link io.stare.p4.program.StareProgram}
 * recognises a P4Info and gives its ids, {@link io.stare.p4.program.StarePrograms} loads the shipped
 * builds, {@link io.stare.p4.program.P4Values} encodes P4Runtime's binary strings.
 *
 * <p>May depend on {@code io.stare.p4.pipeline} (a program makes its Java pipeline) and the generated
 * P4Runtime classes; nothing else in this module depends the other way.
 */
package io.stare.p4.program;
