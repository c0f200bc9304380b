package dev.forwarder.it;

import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The server images the integration tests run, built from {@code src/test/resources/docker/<name>/} on top of the
 * local {@code debian:bookworm-slim} (no registry here: {@code scripts/docker-up.sh} provides that base).
 * Images are kept after the run ({@code deleteOnExit = false}) so Docker's layer cache makes later builds instant.
 * Each image is a lazily resolved future shared by all tests, so one JVM asks Docker for each build only once.
 */
final class TestImages {

    /** nginx-light answering every request with {@code <container host name>\n}. */
    static final ImageFromDockerfile NGINX = build("nginx", "nginx.conf");

    /** redis-server on 0.0.0.0:6379, protected mode off, no persistence. */
    static final ImageFromDockerfile REDIS = build("redis");

    /** socat on port 7000 echoing every connection through its own {@code cat}. */
    static final ImageFromDockerfile ECHO = build("socat");

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
