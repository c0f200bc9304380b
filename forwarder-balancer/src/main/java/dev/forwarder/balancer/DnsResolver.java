package dev.forwarder.balancer;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Resolver#system()}: Netty's DNS resolver, which reads {@code /etc/hosts} and the name servers of
 * {@code /etc/resolv.conf} like the system's, but asks them afresh on every lookup. The JVM's own resolver keeps
 * answers for 30 s (and a name server may give a TTL of minutes), which would hide a new address from
 * {@code resolve-interval} that long. One resolver and one daemon event loop (NIO, for its datagram channel)
 * serve every pool of the JVM; a lookup blocks only the pool's resolver thread that waits for it.
 */
final class DnsResolver implements Resolver {

    private static final long QUERY_TIMEOUT_MS = 5_000;

    private final DnsNameResolver resolver;

    private DnsResolver() {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("forwarder-dns", true),
                NioIoHandler.newFactory());
        resolver = new DnsNameResolverBuilder(loop.next())
                .datagramChannelType(NioDatagramChannel.class)
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
                .queryTimeoutMillis(QUERY_TIMEOUT_MS)
                .build();
    }

    static DnsResolver shared() {
        return Holder.INSTANCE;
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        try {
            return List.copyOf(resolver.resolveAll(host).get(2 * QUERY_TIMEOUT_MS, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unknown(host, e);
        } catch (ExecutionException | TimeoutException e) {
            throw unknown(host, e.getCause() == null ? e : e.getCause());
        }
    }

    private static UnknownHostException unknown(String host, Throwable cause) {
        UnknownHostException e = new UnknownHostException(host + ": " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    /** Built on first use, so that JVMs with no hostname backend start no DNS thread. */
    private static final class Holder {
        static final DnsResolver INSTANCE = new DnsResolver();
    }
}
