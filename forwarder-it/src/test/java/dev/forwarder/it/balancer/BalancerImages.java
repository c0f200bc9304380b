package dev.forwarder.it.balancer;

import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The images this package runs, built from {@code src/test/resources/docker/<name>/} on the local
 * {@code debian:bookworm-slim}. Kept after the run ({@code deleteOnExit = false}) so Docker's layer cache makes
 * later builds instant; each is one lazily built future shared by every test in the JVM.
 */
final class BalancerImages {

    /** nginx-light: {@code /} answers {@code <host name>\n}, {@code /healthz} 200, {@code /down} 503. */
    static final ImageFromDockerfile NGINX = build("balancer-nginx", "nginx.conf");

    /** redis-server on 0.0.0.0:6379, protected mode off, no persistence. */
    static final ImageFromDockerfile REDIS = build("balancer-redis");

    /** socat on port 7000: the host name as the first line of every connection, then an echo. */
    static final ImageFromDockerfile HOSTNAME_ECHO = build("hostname-echo");

    /** dnsmasq answering only from a hosts file that a test rewrites, re-read on SIGHUP, TTL 0. */
    static final ImageFromDockerfile DNSMASQ = build("dnsmasq");

    /** Debian's OpenJDK 17 runtime, for the packaged jar. The slow one (apt of a JRE) the first time. */
    static final ImageFromDockerfile JRE = build("forwarder-jre");

    private BalancerImages() {
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
