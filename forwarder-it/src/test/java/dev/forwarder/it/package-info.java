/**
 * Integration tests of the assembled forwarder against real servers (nginx, redis, a socat echo) in containers
 * that the tests build from Debian packages; see {@link dev.forwarder.it.support.TestImages}. Each {@code *IT}
 * starts its own containers and stops them (Ryuk is disabled on these machines), and runs forwarder in-process
 * through the app's API, except {@code PackagedJarIT}, which runs the packaged jar as users do.
 */
package dev.forwarder.it;
