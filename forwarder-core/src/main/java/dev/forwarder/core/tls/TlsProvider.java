package dev.forwarder.core.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

import java.util.Locale;

/** Which TLS engine a listener or pool uses ({@code tls.provider}). */
public enum TlsProvider {
    /** OpenSSL where netty-tcnative's BoringSSL loads on this machine, the JDK's engine otherwise. */
    AUTO,
    /** BoringSSL through netty-tcnative; an error where it does not load. */
    OPENSSL,
    /** The JDK's own {@code SSLEngine}. */
    JDK;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The config name: {@code auto}, {@code openssl}, {@code jdk}. */
    public String label() {
        return label;
    }

    /**
     * The engine to use.
     *
     * @throws IllegalArgumentException for {@link #OPENSSL} where it does not load, saying why
     */
    public SslProvider resolve() {
        return switch (this) {
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    Throwable why = OpenSsl.unavailabilityCause();
                    throw new IllegalArgumentException("provider: openssl does not load here ("
                            + (why == null ? "unknown cause" : why.getMessage()) + "; expected: auto or jdk)");
                }
                yield SslProvider.OPENSSL;
            }
        };
    }

    /** How the start-up log names an engine: {@code openssl (BoringSSL)} or {@code jdk}. */
    public static String describe(SslProvider provider) {
        return provider == SslProvider.JDK ? "jdk" : "openssl (" + OpenSsl.versionString() + ")";
    }
}
