package dev.forwarder.core.access;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void matchesIpv4AndIpv6NetworksByPrefix() throws Exception {
        assertThat(Cidr.parse("10.0.0.0/8").contains(ip("10.255.1.2"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(ip("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("192.168.4.0/22").contains(ip("192.168.7.255"))).isTrue();
        assertThat(Cidr.parse("192.168.4.0/22").contains(ip("192.168.8.0"))).isFalse();
        assertThat(Cidr.parse("2001:db8::/32").contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(ip("2001:db9::1"))).isFalse();
        assertThat(Cidr.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("::1"))).isFalse();
        assertThat(Cidr.parse("127.0.0.2").contains(ip("127.0.0.3"))).isFalse();
    }

    @Test
    void anIpv4MappedClientMatchesIpv4Networks() {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
        assertThat(Cidr.parse("10.1.0.0/16").contains(mapped)).isTrue();
    }

    @Test
    void refusesWhatIsNoNetwork() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8")).hasMessageContaining("host bits")
                .hasMessageContaining("10.0.0.0/8");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("expected: 0-32");
        assertThatThrownBy(() -> Cidr.parse("example.com")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/-1")).hasMessageContaining("prefix length");
    }

    @Test
    void denyWinsOverAllow() throws Exception {
        AccessSettings rules = AccessSettings.NONE.withAllow(List.of(Cidr.parse("127.0.0.0/8")))
                .withDeny(List.of(Cidr.parse("127.0.0.3")));
        assertThat(rules.permits(ip("127.0.0.2"))).isTrue();
        assertThat(rules.permits(ip("127.0.0.3"))).isFalse();
        assertThat(rules.permits(ip("10.0.0.1"))).isFalse();
        assertThat(AccessSettings.NONE.withDeny(List.of(Cidr.parse("::/0"))).permits(ip("127.0.0.1"))).isTrue();
        assertThat(AccessSettings.NONE.withDeny(List.of(Cidr.parse("::/0"))).permits(ip("::1"))).isFalse();
    }
}
