/**
 * TLS with Netty's {@code SslHandler}: termination on a listener ({@link TlsTermination}: the backend is chosen
 * after the handshake, in the pool ({@link TlsPool}) the server name maps to, else the one the ALPN protocol maps
 * to, else the listener's) and origination to a pool's backends ({@link TlsOrigination}: the connect completes
 * only once the handshake did, so a backend whose certificate does not verify fails like a refused connect).
 * OpenSSL (BoringSSL through netty-tcnative) or the JDK's engine ({@link TlsProvider}). Both sides send
 * {@code close_notify} before their FIN and take a received one as the peer's FIN; an abort sends none.
 */
package dev.forwarder.core.tls;
