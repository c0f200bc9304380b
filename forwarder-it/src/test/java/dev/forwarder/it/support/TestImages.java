package dev.forwarder.it.support;

import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Every image the integration tests run, built from {@code src/test/resources/docker/<name>/} on top of the local
 * {@code debian:bookworm-slim} (no registry here: {@code scripts/docker-up.sh} provides that base).
 * Images are kept after the run ({@code deleteOnExit = false}) so Docker's layer cache makes later builds instant.
 * Each image is a lazily resolved future shared by all tests, so one JVM asks Docker for each build only once.
 */
public final class TestImages {

    /** nginx-light: {@code /healthz} answers 200, {@code /down} 503, any other path {@code <host name>\n}. */
    public static final ImageFromDockerfile NGINX = build("nginx", "nginx.conf");

    /** redis-server on 0.0.0.0:6379, protected mode off, no persistence. */
    public static final ImageFromDockerfile REDIS = build("redis");

    /**
     * socat on port 7000 echoing every connection through its own {@code cat}; {@link Backends#hostnameEcho} runs it
     * with another command.
     */
    public static final ImageFromDockerfile SOCAT = build("socat");

    /** dnsmasq answering only from a hosts file that a test rewrites, re-read on SIGHUP, TTL 0. */
    public static final ImageFromDockerfile DNSMASQ = build("dnsmasq");

    /** Debian's OpenJDK 17 runtime, for the packaged jar. The slow one (apt of a JRE) the first time. */
    public static final ImageFromDockerfile JRE = build("forwarder-jre");

    private TestImages() {
    }

    private static ImageFromDockerfile build(String name, String... extraFiles) {
        String dir = "docker/" + name + "/";
        ImageFromDockerfile image = new ImageFromDockerfile("forwarder-it/" + name, false)
                .withFileFromClasspath("Dockerfile", dir + "Dockerfile");
        for (String file : extraFiles) {
            image = image.withFileFromClasspath(file, dir + file);
        }
        return image;
    }
}
