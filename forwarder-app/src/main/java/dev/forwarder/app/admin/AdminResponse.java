package dev.forwarder.app.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;

/**
 * One answer of the admin port, whole: a status, a content type and the body's bytes (small: the API's JSON, or
 * an error); or, with {@code stream} set, a response that writes itself ({@link AdminStream}).
 */
record AdminResponse(HttpResponseStatus status, String contentType, byte[] body, String allow, AdminStream stream) {

    AdminResponse(HttpResponseStatus status, String contentType, byte[] body, String allow) {
        this(status, contentType, body, allow, null);
    }

    /** A response {@code stream} writes itself, head and body. */
    static AdminResponse stream(AdminStream stream) {
        return new AdminResponse(HttpResponseStatus.OK, "", new byte[0], null, stream);
    }

    static final String JSON = "application/json; charset=utf-8";
    static final ObjectMapper MAPPER = new ObjectMapper();

    static AdminResponse json(HttpResponseStatus status, Object tree) {
        try {
            return new AdminResponse(status, JSON, MAPPER.writeValueAsBytes(tree), null);
        } catch (JsonProcessingException e) {
            // Only trees of maps, lists, strings and numbers are written: this cannot happen.
            throw new IllegalStateException(e);
        }
    }

    static AdminResponse ok(Object tree) {
        return json(HttpResponseStatus.OK, tree);
    }

    /** {@code {"error": message}} with {@code status}. */
    static AdminResponse error(HttpResponseStatus status, String message) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("error", message);
        body.put("status", status.code());
        return json(status, body);
    }

    static AdminResponse methodNotAllowed(String allow) {
        AdminResponse error = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed (expected: " + allow
                + ")");
        return new AdminResponse(error.status, error.contentType, error.body, allow);
    }

    static AdminResponse bytes(HttpResponseStatus status, String contentType, byte[] body) {
        return new AdminResponse(status, contentType, body, null);
    }

    static AdminResponse text(HttpResponseStatus status, String text) {
        return bytes(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
}
