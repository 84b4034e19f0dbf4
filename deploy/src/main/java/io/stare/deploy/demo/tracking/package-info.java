/**
 * The pure logic of the mobility-tracking demo, the paper's 5G use case (Sec. I-A): no actors, no
 * networking, no clock.
 *
 * <ul>
 *   <li><b>Areas.</b> An {@link io.stare.deploy.demo.tracking.AreaMap} names the monitored areas, one
 *   mobility-tracking VNF each, and the walking distances between neighbouring areas; the default is
 *   the paper's testbed, four VNFs ({@code area-1} on H1, {@code area-2} and {@code area-3} on H2,
 *   {@code area-4} on H3) along one street.</li>
 *   <li><b>Scanners.</b> Every period (the paper's 20 s; faster for the demo) each area's WiFi scanner
 *   reports the devices whose probe requests it heard: a
 *   {@link io.stare.deploy.demo.tracking.ScanReport} of
 *   {@link io.stare.deploy.demo.tracking.Sighting}s (hashed MAC, time, RSSI), 10 to 50 of them in the
 *   paper. MACs are anonymised with a salted hash ({@link io.stare.deploy.demo.tracking.MacHasher}) so
 *   that areas sharing the salt recognise the same device. Each VNF publishes its reports as its STARE
 *   state, in JSON ({@link io.stare.deploy.demo.tracking.ScanReport#CODEC}), and subscribes to its
 *   neighbours' states.</li>
 *   <li><b>Inference.</b> A {@link io.stare.deploy.demo.tracking.TrajectoryTracker} merges its own and
 *   its neighbours' reports in time order (a watermark over the areas makes the result independent of
 *   how the areas interleave, and duplicates are dropped). When a device last seen in area x is next
 *   seen in area y it reports a {@link io.stare.deploy.demo.tracking.Trajectory} x&rarr;y: departure
 *   at the last sighting in x, arrival at the first in y, speed = distance / (arrival - departure).
 *   With scan period P each end is late or early by less than P, so for a true walk of duration T the
 *   measured one lies in [T, T + 2P) and the speed is underestimated by less than a fraction
 *   2P / (T + 2P).</li>
 *   <li><b>Bounds.</b> The tracker forgets devices unseen for a configurable time, keeps at most a
 *   configurable number of devices (least recently seen evicted first), buffers at most a configurable
 *   lag of reports, and drops (and counts) speeds above a plausible maximum. It is deterministic and
 *   confined to one thread (its VNF actor).</li>
 *   <li><b>Ground truth.</b> {@link io.stare.deploy.demo.tracking.MobilityFixture} generates devices
 *   walking between areas at known speeds, stationary background devices, and the scanners' reports,
 *   so that the inference can be checked.</li>
 * </ul>
 */
package io.stare.deploy.demo.tracking;
