/**
 * What the container tests of both packages share: the server images ({@link dev.forwarder.it.support.TestImages}),
 * their containers ({@link dev.forwarder.it.support.Backends}) and a one-shot HTTP client
 * ({@link dev.forwarder.it.support.Http}). Helpers that one package alone uses stay in that package.
 */
package dev.forwarder.it.support;
