package dev.forwarder.app.capture;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC server on 127.0.0.1 (grpc-java over its shaded Netty) with a hand-written service, no protoc:
 * {@code echo.Echo/Say} answers its request bytes, {@code echo.Echo/Missing} fails with NOT_FOUND.
 */
final class GrpcEcho implements AutoCloseable {

    static final String SAY = "echo.Echo/Say";
    static final String MISSING = "echo.Echo/Missing";

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static MethodDescriptor<byte[], byte[]> method(String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(name).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    private final Server server;

    GrpcEcho() throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("echo.Echo")
                .addMethod(method(SAY), ServerCalls.<byte[], byte[]>asyncUnaryCall((request, answer) -> {
                    answer.onNext(request);
                    answer.onCompleted();
                }))
                .addMethod(method(MISSING), ServerCalls.<byte[], byte[]>asyncUnaryCall((request, answer) ->
                        answer.onError(Status.NOT_FOUND.withDescription("no such thing").asRuntimeException())))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    /** A plaintext (h2c, prior knowledge) channel to {@code port} on 127.0.0.1. */
    static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    /** One unary call of {@code name} on {@code channel}; its answer, or the StatusRuntimeException it failed with. */
    static byte[] call(ManagedChannel channel, String name, byte[] request) {
        return ClientCalls.blockingUnaryCall(channel, method(name),
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request);
    }

    static void shutdown(ManagedChannel channel) throws InterruptedException {
        channel.shutdown();
        if (!channel.awaitTermination(10, TimeUnit.SECONDS)) {
            channel.shutdownNow();
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
            server.shutdownNow();
        }
    }
}
