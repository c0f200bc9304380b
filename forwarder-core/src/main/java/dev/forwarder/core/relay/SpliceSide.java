package dev.forwarder.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FileRegion;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.UncheckedBooleanSupplier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * One direction of a connection on epoll, able to switch from copying to {@code splice(2)}: source socket, pipe,
 * target socket, the bytes never entering the JVM.
 *
 * <p>Netty's own {@code spliceTo} is not used: it is deprecated, hides how many bytes moved, and once the peer's
 * FIN has been seen it shuts the input down as soon as one splice finds the pipe full, although the socket may
 * still hold data (the tail of an upload would be lost). Here Netty keeps reading the socket itself, so its
 * end-of-stream handling stays exactly as without splice; only the size of that read changes. This object is
 * the channel's {@link RecvByteBufAllocator} and its handle: copying, it defers to the channel's usual allocator;
 * splicing, every read takes a small prefix ({@value #PREFIX} bytes), and {@link #relay} moves that prefix into
 * the pipe (a copy of a few hundred bytes, so the data leaves as one stream, not a tiny segment ahead of each
 * chunk) and splices whatever else the socket holds behind it. A {@link FileRegion} over the pipe, written to
 * the target channel like any message, keeps the order with bytes queued before the switch and lets Netty wait
 * for {@code EPOLLOUT}. While the pipe is not empty the source does not read (but for Netty draining a socket that
 * reported RDHUP: those reads queue behind the pipe as buffers): the pipe is the back-pressure.
 *
 * <p>All methods run on the connection's event loop.
 */
final class SpliceSide implements RecvByteBufAllocator, RecvByteBufAllocator.ExtendedHandle {

    /** A read of at least this many bytes marks a bulk transfer: the direction switches to splice. */
    static final int SWITCH_AFTER_READ = 16 * 1024;
    /** Bytes each read copies once splicing: just enough to learn the socket is readable, or at its end. */
    static final int PREFIX = 512;
    /** Asked of one splice into the pipe; the kernel moves at most what the pipe holds (64 KiB by default). */
    private static final int SPLICE_LEN = 1 << 20;
    /** Pipe loads moved in one read event before other channels of the loop get their turn. */
    private static final int LOADS_PER_READ = 16;

    private final Direction direction;
    private final PipeBudget pipes;
    private RecvByteBufAllocator.ExtendedHandle copying;
    private boolean splicing;
    private FileDescriptor pipeOut;
    private PipeRegion region;
    /** Bytes in the pipe not yet taken by the target socket. */
    private int queued;
    private long splicedBytes;
    private boolean paused;
    /** No pipe could be had once: this direction copies for good. */
    private boolean unavailable;

    SpliceSide(Direction direction, PipeBudget pipes) {
        this.direction = direction;
        this.pipes = pipes;
    }

    /** Makes this the read allocator of {@code channel}; call before the channel reads. */
    void attach(Channel channel) {
        ChannelConfig config = channel.config();
        copying = (ExtendedHandle) config.getRecvByteBufAllocator().newHandle();
        config.setRecvByteBufAllocator(this);
    }

    boolean splicing() {
        return splicing;
    }

    /** Whether a read of {@code bytes} should switch this direction to splice. */
    boolean shouldStart(int bytes) {
        return bytes >= SWITCH_AFTER_READ && !splicing && !unavailable;
    }

    /** Bytes in the pipe not yet sent: the source must not read while this is above zero. */
    int queued() {
        return queued;
    }

    /** Waiting for the target to take the pipe's bytes; the source does not read meanwhile. */
    boolean paused() {
        return paused;
    }

    long splicedBytes() {
        return splicedBytes;
    }

    /**
     * Switches this direction to splice from its next read on. Returns {@code false}, and keeps copying, while
     * the relay server's {@link PipeBudget} is spent.
     *
     * @throws IOException when no pipe can be had (the process is out of file descriptors, say): the direction
     *         keeps copying
     */
    boolean start() throws IOException {
        if (!pipes.tryTake()) {
            return false;
        }
        FileDescriptor[] pipe;
        try {
            pipe = FileDescriptor.pipe();
        } catch (IOException e) {
            pipes.giveBack();
            unavailable = true;
            throw e;
        }
        pipeOut = pipe[1];
        region = new PipeRegion(pipe[0], pipe[1]);
        splicing = true;
        return true;
    }

    /**
     * Relays {@code prefix} (released or passed on here) and everything else {@code from} holds to {@code to},
     * through the pipe. Stops reading {@code from} while the pipe cannot be emptied into {@code to}.
     */
    void relay(ByteBuf prefix, Channel from, Channel to) throws IOException {
        if (queued > 0) {
            // The pipe is still busy, yet Netty read: it drains a socket that reported RDHUP to its end whatever
            // AUTO_READ says. These bytes queue behind the pipe's region as an ordinary buffer (full-size reads
            // while the pipe is busy: see guess()), so the order holds and the tail before the FIN is kept.
            to.write(prefix, to.voidPromise());
            return;
        }
        try {
            int length = prefix.readableBytes();
            int written;
            if (prefix.hasMemoryAddress()) {
                written = pipeOut.writeAddress(prefix.memoryAddress(), prefix.readerIndex(), prefix.writerIndex());
            } else {
                ByteBuffer nio = prefix.internalNioBuffer(prefix.readerIndex(), length);
                written = pipeOut.write(nio, nio.position(), nio.limit());
            }
            if (written != length) {
                // The pipe is empty here, so a prefix always fits.
                throw new IOException("pipe took " + written + " of " + length + " bytes");
            }
            queued = length;
        } finally {
            prefix.release();
        }
        int fromFd = ((UnixChannel) from).fd().intValue();
        for (int load = 0; load < LOADS_PER_READ; load++) {
            int in = Native.splice(fromFd, -1, pipeOut.intValue(), -1, SPLICE_LEN);
            if (in > 0) {
                queued += in;
                splicedBytes += in;
                direction.spliced(in);
            }
            if (queued > 0) {
                region.load(queued, ((UnixChannel) to).fd().intValue());
                to.write(region.retain(), to.voidPromise());
                to.flush();
                if (queued > 0) {
                    // The target is full: wait for it (Netty waits for EPOLLOUT), read nothing meanwhile.
                    paused = true;
                    from.config().setAutoRead(false);
                    return;
                }
            }
            // 0: the socket has nothing more now, or it is at its end; the next copied read tells which.
            if (in == 0) {
                return;
            }
        }
    }

    private void drained() {
        if (paused) {
            paused = false;
            direction.spliceDrained();
        }
    }

    /**
     * Back to copying, with the pipe empty (a traffic observer wants to see the bytes): the pipe goes back to the
     * budget, and a later bulk read may start splicing again with a new one.
     */
    void stop() {
        if (!splicing || queued > 0) {
            return;
        }
        splicing = false;
        paused = false;
        close();
    }

    /** The connection ended, or splicing stopped: the pipe closes once Netty has released the region too. */
    void close() {
        if (region != null) {
            region.release();
            region = null;
            pipeOut = null;
        }
    }

    /** Closes a pipe whose last region was released, and gives it back to the budget. */
    private void closePipe(FileDescriptor in, FileDescriptor out) {
        for (FileDescriptor fd : new FileDescriptor[] {in, out}) {
            try {
                fd.close();
            } catch (IOException ignored) {
                // Closing a pipe end fails only when it is closed already.
            }
        }
        pipes.giveBack();
    }

    // ---- RecvByteBufAllocator: this object is both the allocator and the channel's one handle ----------------

    @Override
    public Handle newHandle() {
        return this;
    }

    /** Whether the next read takes just a prefix: splicing, and the pipe is empty to take the rest. */
    private boolean prefixRead() {
        return splicing && queued == 0;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
        return prefixRead() ? alloc.ioBuffer(PREFIX) : copying.allocate(alloc);
    }

    @Override
    public int guess() {
        return prefixRead() ? PREFIX : copying.guess();
    }

    @Override
    public void reset(ChannelConfig config) {
        copying.reset(config);
    }

    @Override
    public void incMessagesRead(int numMessages) {
        copying.incMessagesRead(numMessages);
    }

    @Override
    public void lastBytesRead(int bytes) {
        copying.lastBytesRead(bytes);
    }

    @Override
    public int lastBytesRead() {
        return copying.lastBytesRead();
    }

    @Override
    public void attemptedBytesRead(int bytes) {
        copying.attemptedBytesRead(bytes);
    }

    @Override
    public int attemptedBytesRead() {
        return copying.attemptedBytesRead();
    }

    @Override
    public boolean continueReading() {
        // Splicing, one read per event: relay() has emptied the socket behind the prefix already, or the pipe
        // is busy and this side waits. (Netty still reads on to the end after an RDHUP.)
        return !splicing && copying.continueReading();
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
        return !splicing && copying.continueReading(maybeMoreDataSupplier);
    }

    @Override
    public void readComplete() {
        copying.readComplete();
    }

    /**
     * The pipe's content as a message for the target channel. One instance per pipe, written again for each load:
     * the direction holds one reference while it splices through that pipe and each write one more, which Netty
     * releases; the last release closes the pipe.
     */
    private final class PipeRegion extends AbstractReferenceCounted implements FileRegion {

        // Its own pipe: a direction that stops splicing and starts again gets a new pipe, while Netty may still
        // hold the old region for a moment.
        private final FileDescriptor in;
        private final FileDescriptor out;
        private int count;
        private int transferred;
        private int targetFd;

        PipeRegion(FileDescriptor in, FileDescriptor out) {
            this.in = in;
            this.out = out;
        }

        void load(int bytes, int fd) {
            count = bytes;
            transferred = 0;
            targetFd = fd;
        }

        @Override
        public long position() {
            return 0;
        }

        @Override
        public long count() {
            return count;
        }

        @Override
        public long transferred() {
            return transferred;
        }

        @Override
        @Deprecated
        public long transfered() {
            return transferred;
        }

        @Override
        public long transferTo(WritableByteChannel target, long position) throws IOException {
            int moved = Native.splice(in.intValue(), -1, targetFd, -1, count - transferred);
            transferred += moved;
            queued -= moved;
            if (queued == 0) {
                drained();
            }
            return moved;
        }

        @Override
        public FileRegion retain() {
            super.retain();
            return this;
        }

        @Override
        public FileRegion retain(int increment) {
            super.retain(increment);
            return this;
        }

        @Override
        public FileRegion touch() {
            return this;
        }

        @Override
        public FileRegion touch(Object hint) {
            return this;
        }

        @Override
        protected void deallocate() {
            closePipe(in, out);
        }
    }
}
