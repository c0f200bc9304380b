package dev.forwarder.core.relay;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A channel that stands for one side's socket in the relay's state machine tests: a {@link DuplexChannel}, as the
 * relay expects of both sides, whose peer the test plays ({@link #peerSends}, {@link #peerFin}, {@link #peerResets})
 * the way Netty's socket channels deliver those events, and whose {@link Wire} shows what the relay sent that peer.
 * Each peer action runs, afterwards, what it left queued on the (embedded) event loop.
 */
interface TestSocket extends DuplexChannel {

    @Override
    TestSocketConfig config();

    Wire wire();

    /** Runs the tasks queued on the event loop both sides share. */
    void runPendingTasks();

    /** What the relay sent this side's peer so far (see {@link Wire}). */
    default List<String> sent() {
        return wire().sent();
    }

    /** The peer's bytes arrive; only while the relay reads this side, as a socket's would. */
    default void peerSends(String text) {
        if (!config().isAutoRead()) {
            throw new IllegalStateException("the relay is not reading " + this + ": the bytes would wait");
        }
        pipeline().fireChannelRead(wire().fromPeer(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII)));
        pipeline().fireChannelReadComplete();
        runPendingTasks();
    }

    /** The peer's FIN arrives: the input shuts down, or, without half-closure, the channel closes (as Netty does). */
    default void peerFin() {
        endInput();
        runPendingTasks();
    }

    /** The peer resets: the read fails, then (as Netty does after a read error) the input ends if still open. */
    default void peerResets() {
        pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        if (isOpen()) {
            endInput();
        }
        runPendingTasks();
    }

    /**
     * The peer is gone and a write to it fails: Netty closes the channel first and reports the error after (as
     * its socket channels do for a reset or a broken pipe found while writing).
     */
    default void peerResetFoundOnWrite() {
        // As Netty: the close future completes first (its listeners, the relay's among them, run), then the failed
        // write's error goes down the pipeline while the handlers are still there.
        closeFuture().addListener(closed -> pipeline().fireExceptionCaught(new IOException("Connection reset by peer")));
        unsafe().close(unsafe().voidPromise());
        runPendingTasks();
    }

    private void endInput() {
        if (wire().inputShutdown) {
            return;
        }
        if (config().allowHalfClosure()) {
            wire().inputShutdown = true;
            pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        } else {
            close();
        }
    }

    @Override
    default boolean isInputShutdown() {
        return wire().inputShutdown;
    }

    @Override
    default ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    default ChannelFuture shutdownInput(ChannelPromise promise) {
        wire().inputShutdown = true;
        return promise.setSuccess();
    }

    @Override
    default boolean isOutputShutdown() {
        return wire().outputShutdown;
    }

    @Override
    default ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    default ChannelFuture shutdownOutput(ChannelPromise promise) {
        wire().outputShut();
        return promise.setSuccess();
    }

    @Override
    default boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    default ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    default ChannelFuture shutdown(ChannelPromise promise) {
        shutdownInput();
        return shutdownOutput(promise);
    }
}
