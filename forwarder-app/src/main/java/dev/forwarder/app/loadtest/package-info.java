/**
 * {@code forwarder loadtest} and {@code forwarder echo-server}: a Netty load generator (request/response, bulk and
 * connection-churn modes, closed or open model, HdrHistogram latencies) and the echo backend it is aimed at.
 *
 * <p>Threading: each worker lives on one event loop and touches its state only there; {@link
 * dev.forwarder.app.loadtest.Stats} is the one object shared between the loops and the thread that prints progress.
 */
package dev.forwarder.app.loadtest;
