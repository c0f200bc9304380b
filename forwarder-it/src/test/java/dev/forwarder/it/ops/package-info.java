/**
 * Operations through the packaged forms: the Docker image built from the project's {@code Dockerfile}, and the jar as
 * a process reloaded by SIGHUP under load. Their logs go to files under {@code target/}.
 */
package dev.forwarder.it.ops;
