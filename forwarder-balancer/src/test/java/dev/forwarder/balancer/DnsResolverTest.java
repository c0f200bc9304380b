package dev.forwarder.balancer;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class DnsResolverTest {

    @Test
    void systemResolverReadsTheHostsFile() throws Exception {
        assertThat(Resolver.system().resolve("localhost")).contains(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void aHostnameBackendGetsEveryAddressOfTheSystemResolver() {
        Pool pool = Pool.of("local", BalancingStrategy.roundRobin(),
                java.util.List.of(new BackendSpec("localhost", 9001, 1, false)));
        assertThat(pool.members()).extracting(PoolMember::name).contains("127.0.0.1:9001");
        assertThat(pool.members()).allSatisfy(member -> assertThat(member.host()).isEqualTo("localhost"));
    }
}
