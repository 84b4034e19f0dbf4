package io.stare.actors.arq;

/**
 * The counters of a SUB-message ARQ: a switch agent's (switch to switch) or a middleware's (up to
 * its switch).
 *
 * @param pending propagated SUB messages still waiting for their neighbour's SUB-ack
 * @param acknowledged propagated messages whose SUB-ack arrived
 * @param retransmissions repetitions sent
 * @param abandoned messages given up after the retransmission limit
 */
public record ArqCounters(int pending, long acknowledged, long retransmissions, long abandoned) {
}
