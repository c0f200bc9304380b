package dev.forwarder.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;

/**
 * A test channel's config that keeps the two socket options the relay's state machine depends on, which
 * {@link DefaultChannelConfig} ignores: {@code ALLOW_HALF_CLOSURE} (whether a FIN shuts the input or closes the
 * channel) and {@code SO_LINGER} (0 makes the close a reset).
 */
final class TestSocketConfig extends DefaultChannelConfig {

    private boolean allowHalfClosure;
    private int linger = -1;

    TestSocketConfig(Channel channel, boolean allowHalfClosure) {
        super(channel);
        this.allowHalfClosure = allowHalfClosure;
    }

    boolean allowHalfClosure() {
        return allowHalfClosure;
    }

    /** {@code SO_LINGER}: -1 while never set. */
    int linger() {
        return linger;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(allowHalfClosure);
        }
        if (option == ChannelOption.SO_LINGER) {
            return (T) Integer.valueOf(linger);
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            allowHalfClosure = (Boolean) value;
        } else if (option == ChannelOption.SO_LINGER) {
            linger = (Integer) value;
        } else {
            return super.setOption(option, value);
        }
        return true;
    }
}
