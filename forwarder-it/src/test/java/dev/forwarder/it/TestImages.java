package dev.forwarder.it;

import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The server images the integration tests run, built from {@code src/test/resources/docker/<name>/} on top of the
 * local {@code debian:bookworm-slim} (no registry here: {@code scripts/docker-up.sh} provides that base).
 * Images are kept after the run ({@code deleteOnExit = false}) so Docker's layer cache makes later builds instant.
 */
final class TestImages {

    private TestImages() {
    }

    /** nginx-light answering every request with {@code <container host name>\n}. */
    static ImageFromDockerfile nginx() {
        return build("nginx", "nginx.conf");
    }

    /** redis-server on 0.0.0.0:6379, protected mode off, no persistence. */
    static ImageFromDockerfile redis() {
        return build("redis");
    }

    /** socat on port 7000 echoing every connection through its own {@code cat}. */
    static ImageFromDockerfile echo() {
        return build("socat");
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
