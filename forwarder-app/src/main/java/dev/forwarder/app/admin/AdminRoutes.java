package dev.forwarder.app.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.admin.ReloadHook.ReloadReply;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each admin path does, and the rules every request passes first, in this order: with a token configured,
 * {@code Authorization: Bearer TOKEN} on everything but {@code /healthz}, {@code /readyz} and the status page's
 * HTML at {@code /} (401); a known path
 * (404); the method it takes (405, with {@code Allow}); on a mutation ({@code POST} or {@code DELETE}) the header
 * {@code X-Forwarder-Admin: 1}, which no cross-site form can send (403). Errors are {@code {"error": "..."}}.
 */
public final class AdminRoutes {

    /** The header a mutation must carry. */
    public static final String ADMIN_HEADER = "X-Forwarder-Admin";
    static final String INDEX_RESOURCE = "admin/index.html";

    private final Forwarder forwarder;
    private final StatusJson status;
    private final MemberActions members;
    private final CaptureActions captures;
    private final TapActions taps;

    public AdminRoutes(Forwarder forwarder) {
        this.forwarder = forwarder;
        this.status = new StatusJson(forwarder);
        this.members = new MemberActions(forwarder);
        this.captures = new CaptureActions(forwarder);
        this.taps = new TapActions(forwarder);
    }

    /** The live taps this admin port runs. */
    public dev.forwarder.app.capture.Taps taps() {
        return taps.taps();
    }

    AdminResponse handle(AdminRequest request) {
        QueryStringDecoder uri;
        List<String> path;
        try {
            uri = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8);
            path = segments(uri.rawPath());
            uri.parameters();
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "bad request URI: " + e.getMessage());
        }
        boolean probe = path.size() == 1 && (path.get(0).equals("healthz") || path.get(0).equals("readyz"));
        // The status page's HTML holds no data (it reads the API with the token the operator types into it), and a
        // browser cannot send a bearer token when it opens a URL: it is served without one.
        boolean page = path.isEmpty();
        if (!probe && !page && !authorized(request)) {
            return AdminResponse.error(HttpResponseStatus.UNAUTHORIZED,
                    "unauthorized (expected: Authorization: Bearer <forwarder.admin.token>)");
        }
        Route route = route(path, uri.parameters());
        if (route == null) {
            return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no such path: " + uri.rawPath());
        }
        if (!route.method.equals(request.method()) && route.other != null
                && route.other.method.equals(request.method())) {
            route = route.other;
        } else if (!route.method.equals(request.method())) {
            return AdminResponse.methodNotAllowed(route.other == null ? route.method.name()
                    : route.method.name() + ", " + route.other.method.name());
        }
        boolean mutation = route.method.equals(HttpMethod.POST) || route.method.equals(HttpMethod.DELETE);
        if (mutation && !"1".equals(request.headers().get(ADMIN_HEADER))) {
            return AdminResponse.error(HttpResponseStatus.FORBIDDEN, "a " + route.method.name()
                    + " needs the header " + ADMIN_HEADER + ": 1");
        }
        return route.action.answer(request);
    }

    private interface Action {
        AdminResponse answer(AdminRequest request);
    }

    /** What a path does for its method, and for a second method where it takes two ({@code other}). */
    private record Route(HttpMethod method, Action action, Route other) {

        Route(HttpMethod method, Action action) {
            this(method, action, null);
        }
    }

    private static Route get(Action action) {
        return new Route(HttpMethod.GET, action);
    }

    private static Route post(Action action) {
        return new Route(HttpMethod.POST, action);
    }

    private Route route(List<String> path, Map<String, List<String>> query) {
        int n = path.size();
        if (n == 0) {
            return get(request -> index());
        }
        String first = path.get(0);
        if (n == 1) {
            return switch (first) {
                case "healthz" -> get(request -> AdminResponse.ok(Map.of("status", "ok")));
                case "readyz" -> get(request -> status.readiness());
                case "metrics" -> get(request -> metrics());
                default -> null;
            };
        }
        if (!first.equals("api")) {
            return null;
        }
        String second = path.get(1);
        if (n == 2) {
            return switch (second) {
                case "listeners" -> get(request -> status.listeners());
                case "pools" -> get(request -> status.pools());
                case "connections" -> get(request -> status.connections(query));
                case "captures" -> get(request -> captures.list());
                case "tap" -> get(request -> taps.tap(query));
                case "taps" -> get(request -> taps.list());
                case "drain" -> post(request -> drain());
                case "reload" -> post(request -> reload());
                default -> null;
            };
        }
        if (n == 3 && second.equals("captures")) {
            return get(request -> captures.download(path.get(2)));
        }
        if (n == 4 && second.equals("listeners") && path.get(3).equals("capture")) {
            String listener = path.get(2);
            return new Route(HttpMethod.POST, request -> captures.start(listener, request),
                    new Route(HttpMethod.DELETE, request -> captures.stop(listener, request)));
        }
        if (n == 3 && second.equals("connections")) {
            return new Route(HttpMethod.DELETE, request -> closeConnection(path.get(2)));
        }
        if (n == 6 && second.equals("pools") && path.get(3).equals("members")
                && MemberActions.ACTIONS.contains(path.get(5))) {
            return post(request -> members.act(path.get(2), path.get(4), path.get(5), request));
        }
        return null;
    }

    /** The path's segments, each percent-decoded on its own (so an encoded slash stays inside its segment). */
    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.split("/")) {
            if (!raw.isEmpty()) {
                segments.add(QueryStringDecoder.decodeComponent(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private boolean authorized(AdminRequest request) {
        String token = forwarder.config().admin().token();
        if (token.isEmpty()) {
            return true;
        }
        String header = request.headers().get("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
    }

    private static AdminResponse index() {
        try (InputStream in = AdminRoutes.class.getClassLoader().getResourceAsStream(INDEX_RESOURCE)) {
            if (in == null) {
                return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no status page in this build");
            }
            return AdminResponse.bytes(HttpResponseStatus.OK, "text/html; charset=utf-8", in.readAllBytes());
        } catch (IOException e) {
            return AdminResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot read the status page: " + e);
        }
    }

    private AdminResponse metrics() {
        MetricsWriter writer = forwarder.metricsWriter();
        if (writer == null) {
            return AdminResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "metrics not configured");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out);
        } catch (IOException e) {
            return AdminResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot write metrics: " + e);
        }
        return AdminResponse.bytes(HttpResponseStatus.OK, writer.contentType(), out.toByteArray());
    }

    private AdminResponse drain() {
        forwarder.drain();
        ObjectNode body = AdminResponse.MAPPER.createObjectNode();
        body.put("draining", true);
        body.put("open_connections", forwarder.relay().activeConnections());
        return AdminResponse.ok(body);
    }

    private AdminResponse reload() {
        ReloadHook hook = forwarder.reloadHook();
        if (hook == null) {
            return AdminResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "reload not configured");
        }
        ReloadReply reply = hook.reload();
        if (!reply.ok()) {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, reply.message());
        }
        ObjectNode body = AdminResponse.MAPPER.createObjectNode();
        body.put("reloaded", true);
        body.put("message", reply.message());
        return AdminResponse.ok(body);
    }

    private AdminResponse closeConnection(String id) {
        if (!forwarder.relay().closeConnection(id)) {
            return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no open connection " + id);
        }
        ObjectNode body = AdminResponse.MAPPER.createObjectNode();
        body.put("closed", id);
        body.put("reason", "admin");
        return AdminResponse.ok(body);
    }
}
