/**
 * The chaos and integrity suite (issue 11): forwarder in-process in front of real servers (socat in containers on
 * the host's network, so no Docker port proxy sits in the path) under faults and hostile load, each test bounded
 * in time. {@code BackendFaultsIT}: backends stopped, paused and brought back under 200 streams and a loop of new
 * connections. {@code HalfCloseIntegrityIT}: 200 concurrent random streams with random-sized writes and
 * half-closes, every SHA-256 equal. {@code SlowConsumerIT}: clients reading at 64 KiB/s from a fast backend, memory
 * flat. {@code SlowlorisIT}: 5,000 silent connections closed by {@code first-byte-timeout}, the p99 of other
 * clients with and without them.
 *
 * <p>CI runs bounded versions; {@code -Dchaos.long=true} (or {@code -Pchaos-long}) runs the long ones (8 MiB
 * streams, a 1 GiB backend, more rounds). Each test writes its figures to {@code target/chaos-*.txt} and a
 * one-line summary to its log ({@link dev.forwarder.it.chaos.Figures}).
 */
package dev.forwarder.it.chaos;
