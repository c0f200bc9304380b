package dev.forwarder.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;

/**
 * The backend side of a relayed connection without a socket, whose connect the test completes: the relay makes,
 * registers and connects it as it would a socket channel, and it behaves as Netty's do where the relay can tell.
 * It is active only once connected; a successful connect completes the promise before {@code channelActive}; a
 * failed one leaves the channel open for the relay to close; closing it fails a connect still under way. It
 * registers on the client's {@code EmbeddedEventLoop}, where the relay puts it, and runs that loop's tasks through
 * {@code loop}. Not an {@code EmbeddedChannel}: closing one of those runs and cancels every task of the loop the
 * two sides share, the client's timers included.
 */
final class TestBackendChannel extends AbstractChannel implements TestSocket {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false);
    private static final SocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 40000);

    private final SocketAddress remote;
    private final Runnable loop;
    private final TestSocketConfig config = new TestSocketConfig(this, false);
    private final Wire wire = new Wire();
    private boolean open = true;
    private boolean active;
    private boolean writesStalled;
    private ChannelPromise connectPromise;

    /**
     * @param remote the backend address it is made for
     * @param loop runs the tasks queued on the shared event loop
     */
    TestBackendChannel(SocketAddress remote, Runnable loop) {
        super(null);
        this.remote = remote;
        this.loop = loop;
    }

    /** The address the relay made this channel for. */
    SocketAddress backendAddress() {
        return remote;
    }

    /** The connect succeeds, as Netty's socket channels report it: the promise first, then channelActive. */
    void connectSucceeds() {
        ChannelPromise promise = takeConnectPromise();
        active = true;
        boolean promiseSet = promise.trySuccess();
        pipeline().fireChannelActive();
        if (!promiseSet) {
            close();
        }
        runPendingTasks();
    }

    /** The connect fails with {@code cause} (refused, timed out, unreachable); the channel stays open. */
    void connectFails(Throwable cause) {
        takeConnectPromise().tryFailure(cause);
        runPendingTasks();
    }

    /** Whether the socket takes no more bytes: writes stay queued in the channel, as with a full send buffer. */
    void stallWrites(boolean stalled) {
        writesStalled = stalled;
        if (!stalled) {
            flush();
            runPendingTasks();
        }
    }

    private ChannelPromise takeConnectPromise() {
        if (connectPromise == null) {
            throw new IllegalStateException("no connect under way on " + this);
        }
        ChannelPromise promise = connectPromise;
        connectPromise = null;
        return promise;
    }

    @Override
    public TestSocketConfig config() {
        return config;
    }

    @Override
    public Wire wire() {
        return wire;
    }

    @Override
    public void runPendingTasks() {
        loop.run();
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && active;
    }

    @Override
    protected boolean isCompatible(EventLoop eventLoop) {
        // The relay registers it on the client's loop, an EmbeddedEventLoop (a package-private class).
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        return isActive() ? LOCAL : null;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return isActive() ? remote : null;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("bind");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doClose() {
        if (!open) {
            return;
        }
        open = false;
        active = false;
        wire.closed(config.linger());
        if (connectPromise != null) {
            ChannelPromise promise = connectPromise;
            connectPromise = null;
            promise.tryFailure(new ClosedChannelException());
        }
    }

    @Override
    protected void doBeginRead() {
        // Reads are the test's peerSends, checked against auto-read there.
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        for (Object msg; !writesStalled && (msg = in.current()) != null; ) {
            wire.wrote((ByteBuf) msg);
            in.remove();
        }
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
                if (promise.setUncancellable() && ensureOpen(promise)) {
                    connectPromise = promise;
                }
            }
        };
    }

    @Override
    public String toString() {
        return "backend " + remote;
    }
}
