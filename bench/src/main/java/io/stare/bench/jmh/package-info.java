/**
 * JMH micro-benchmarks of STARE's data path, run by {@code stare bench jmh}
 * ({@link io.stare.bench.jmh.JmhRun}, with JMH's GC profiler): the publish frame codec and the
 * subscriber's validation and reassembly without actors, in place and with the value objects
 * ({@link io.stare.bench.jmh.PublishEncodeBenchmark}, {@link io.stare.bench.jmh.ReceiveDecodeBenchmark}),
 * the publish call through a real middleware ({@link io.stare.bench.jmh.PublishBenchmark}), local
 * delivery between two VNFs of one middleware ({@link io.stare.bench.jmh.LocalDeliveryBenchmark}) and
 * one update from a publishing middleware through a software switch to a subscribing middleware
 * ({@link io.stare.bench.jmh.DeliveryBenchmark}). See docs/evaluation-jmh.md.
 */
package io.stare.bench.jmh;
