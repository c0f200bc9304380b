package dev.forwarder.app.admin;

import java.io.IOException;
import java.io.OutputStream;

/** What {@code GET /metrics} serves: e.g. the Prometheus text exposition of the forwarder's registry. */
public interface MetricsWriter {

    /** The response's {@code Content-Type}, e.g. {@code text/plain; version=0.0.4; charset=utf-8}. */
    String contentType();

    /** Writes the whole exposition; called on the admin port's own thread. */
    void write(OutputStream out) throws IOException;
}
