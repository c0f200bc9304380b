package dev.forwarder.balancer;

import dev.forwarder.balancer.health.HealthCheckSettings;
import dev.forwarder.balancer.health.HealthCheckType;
import dev.forwarder.core.Transport;
import dev.forwarder.core.transport.TransportKit;
import io.netty.channel.EventLoopGroup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Event loops for health checks in tests, and quick settings: the relay's loops play this part in the app. */
final class CheckLoops implements AutoCloseable {

    final TransportKit kit = TransportKit.of(Transport.AUTO);
    final EventLoopGroup loops = kit.newEventLoopGroup(2, "test-checks");

    Pool.Builder pool(String name, PoolSettings settings, List<BackendSpec> backends) {
        return Pool.builder(name, BalancingStrategy.roundRobin(), backends).settings(settings)
                .healthCheckTransport(loops, kit::newClientChannel);
    }

    /** A check every {@code intervalMs}, no jitter. */
    static HealthCheckSettings check(HealthCheckType type, long intervalMs, long timeoutMs, int rise, int fall) {
        return new HealthCheckSettings(type, Duration.ofMillis(intervalMs), Duration.ofMillis(timeoutMs), rise, fall,
                0, type == HealthCheckType.SEND_EXPECT ? "PING\r\n" : "",
                type == HealthCheckType.SEND_EXPECT ? "+PONG" : "", "", "/health", 200, 399, MemberState.DOWN);
    }

    static PoolSettings settings(HealthCheckSettings check) {
        return PoolSettings.STATIC.withHealthCheck(check);
    }

    static BackendSpec local(int port) {
        return new BackendSpec("127.0.0.1", port, 1, false);
    }

    @Override
    public void close() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
