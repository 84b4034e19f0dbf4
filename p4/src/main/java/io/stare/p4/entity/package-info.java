/**
 * The one P4Runtime codec layer: for every entity and stream message STARE's programs have (the
 * {@code state_ports} cell, the {@code clone_flag}, the {@code tree_ports} default entry, a
 * {@code state_forwarding} entry, an {@code ipv4_lpm} route, a multicast group, a clone session, a
 * packet-in, a packet-out) one codec that encodes and decodes it, behind one registry per program,
 * {@link io.stare.p4.entity.StareEntities}. The switch agent encodes what it writes and decodes what
 * it reads with it; the software switch decodes what it is written and encodes what it is read with
 * the same code, so the two sides cannot drift apart.
 *
 * <p>Decoding never throws: a value the program cannot take is a {@link io.stare.p4.entity.Decoded.Refused}
 * with the P4Runtime status code the specification gives it. Depends on {@code io.stare.p4.program},
 * {@code io.stare.p4.pipeline.CpuHeaders} and the generated P4Runtime classes only.
 */
package io.stare.p4.entity;
