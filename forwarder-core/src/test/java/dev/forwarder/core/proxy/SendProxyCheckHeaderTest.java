package dev.forwarder.core.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The PROXY header health checks send under send-proxy, read back by Netty's strict decoder. */
class SendProxyCheckHeaderTest {

    @ParameterizedTest
    @EnumSource(value = ProxyProtocol.class, names = {"V1", "V2"})
    void aCheckSaysItRelaysNoClient(ProxyProtocol protocol) {
        EmbeddedChannel channel = new EmbeddedChannel(new HAProxyMessageDecoder());
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(SendProxy.checkHeader(protocol)));
            HAProxyMessage header = channel.readInbound();
            try {
                assertThat(header.protocolVersion()).isEqualTo(
                        protocol == ProxyProtocol.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2);
                assertThat(header.command()).isEqualTo(
                        protocol == ProxyProtocol.V1 ? HAProxyCommand.PROXY : HAProxyCommand.LOCAL);
                assertThat(header.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
                assertThat(header.sourceAddress()).isNull();
            } finally {
                header.release();
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void offSendsNothing() {
        assertThat(SendProxy.checkHeader(ProxyProtocol.OFF)).isNull();
    }
}
