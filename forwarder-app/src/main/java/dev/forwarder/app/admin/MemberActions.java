package dev.forwarder.app.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.forwarder.app.Forwarder;
import dev.forwarder.balancer.AdminState;
import dev.forwarder.balancer.Pool;
import dev.forwarder.balancer.PoolMember;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;

import static dev.forwarder.app.admin.AdminResponse.MAPPER;

/**
 * {@code POST /api/pools/{pool}/members/{member}/drain | disable | enable | weight}: what an operator turns on one
 * member. The change is in force for new connections when the reply leaves.
 */
final class MemberActions {

    static final List<String> ACTIONS = List.of("drain", "disable", "enable", "weight");

    private final Forwarder forwarder;

    MemberActions(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    AdminResponse act(String poolName, String memberName, String action, AdminRequest request) {
        Pool pool;
        try {
            pool = forwarder.pool(poolName);
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no pool " + poolName);
        }
        PoolMember member = pool.member(memberName);
        if (member == null) {
            return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "pool " + poolName + " has no member "
                    + memberName + " (expected one of: "
                    + String.join(", ", pool.members().stream().map(PoolMember::name).toList()) + ")");
        }
        String by = "admin-api@" + request.remote();
        try {
            if (action.equals("weight")) {
                return weight(pool, member, request.body(), by);
            }
            AdminState state = switch (action) {
                case "drain" -> AdminState.DRAINING;
                case "disable" -> AdminState.DISABLED;
                default -> AdminState.ENABLED;
            };
            pool.setAdminState(member.name(), state, by);
        } catch (IllegalArgumentException e) {
            // The member left between the lookup and the change (a reload or DNS).
            return AdminResponse.error(HttpResponseStatus.NOT_FOUND, e.getMessage());
        } catch (IllegalStateException e) {
            return AdminResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage());
        }
        return AdminResponse.ok(reply(pool, member));
    }

    private static AdminResponse weight(Pool pool, PoolMember member, byte[] body, String by) {
        JsonNode json;
        try {
            json = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST,
                    "body is not JSON (expected: {\"weight\": N}): " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "cannot read the body: " + e.getMessage());
        }
        JsonNode weight = json == null ? null : json.get("weight");
        if (weight == null || !weight.canConvertToInt() || !weight.isIntegralNumber()) {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST,
                    "weight: " + (weight == null ? "missing" : weight.toString()) + " (expected: {\"weight\": N},"
                            + " N an integer 1-" + dev.forwarder.balancer.BackendSpec.MAX_WEIGHT + ")");
        }
        int previous;
        try {
            previous = pool.setWeight(member.name(), weight.intValue(), by);
        } catch (IllegalArgumentException e) {
            HttpResponseStatus status = pool.member(member.name()) == null ? HttpResponseStatus.NOT_FOUND
                    : HttpResponseStatus.BAD_REQUEST;
            return AdminResponse.error(status, e.getMessage());
        }
        ObjectNode reply = reply(pool, member);
        reply.put("previous_weight", previous);
        return AdminResponse.ok(reply);
    }

    private static ObjectNode reply(Pool pool, PoolMember member) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("pool", pool.name());
        StatusJson.member(node, member);
        return node;
    }
}
