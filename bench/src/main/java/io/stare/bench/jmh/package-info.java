/**
 * JMH micro-benchmarks of the VNF side of STARE, run by {@code stare bench jmh}
 * ({@link io.stare.bench.jmh.JmhRun}): the publish frame codec and the receive path's decode and
 * reassembly without actors ({@link io.stare.bench.jmh.PublishEncodeBenchmark},
 * {@link io.stare.bench.jmh.ReceiveDecodeBenchmark}), the publish call through a real middleware
 * actor ({@link io.stare.bench.jmh.PublishBenchmark}) and local delivery between two VNFs of one
 * middleware ({@link io.stare.bench.jmh.LocalDeliveryBenchmark}). See docs/evaluation-jmh.md.
 */
package io.stare.bench.jmh;
