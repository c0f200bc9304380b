package dev.forwarder.app.admin;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.stream.ChunkedFile;
import io.netty.handler.stream.ChunkedWriteHandler;

import java.io.IOException;
import java.io.RandomAccessFile;

/**
 * {@code GET /api/captures/{file}}: the file as it is when the request arrives ({@code Content-Length} is its size
 * then), read in {@value #CHUNK}-byte pieces by Netty's {@link ChunkedWriteHandler}, which reads the next piece only
 * while the channel is writable, so the file is never held in memory; then the connection closes.
 */
final class FileDownload implements AdminStream {

    static final int CHUNK = 64 * 1024;

    private final RandomAccessFile file;
    private final String name;
    private final String contentType;

    FileDownload(RandomAccessFile file, String name, String contentType) {
        this.file = file;
        this.name = name;
        this.contentType = contentType;
    }

    @Override
    public void start(ChannelHandlerContext ctx) {
        long length;
        ChunkedFile chunks;
        try {
            length = file.length();
            chunks = new ChunkedFile(file, 0, length, CHUNK);
        } catch (IOException e) {
            closeQuietly();
            ctx.close();
            return;
        }
        if (ctx.pipeline().get("chunked") == null) {
            ctx.pipeline().addBefore(ctx.name(), "chunked", new ChunkedWriteHandler());
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff");
        ctx.write(head);
        // ChunkedFile closes the file at its end, and ChunkedWriteHandler closes it when the channel closes first.
        ctx.writeAndFlush(new HttpChunkedInput(chunks)).addListener(ChannelFutureListener.CLOSE);
    }

    private void closeQuietly() {
        try {
            file.close();
        } catch (IOException ignored) {
            // nothing was sent from it
        }
    }
}
