package dev.forwarder.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test CA and leaf certificates it signs, made with Debian's {@code openssl} command (a test fails, never skips,
 * where it is missing): EC P-256 keys in PKCS#8 PEM, valid for two days.
 *
 * @param dir where the files are
 * @param ca the CA certificate, PEM
 * @param chain the leaf certificate, PEM (its names: localhost, api.example.com, web.example.com, 127.0.0.1)
 * @param key the leaf's private key
 */
public record TestCertificates(Path dir, Path ca, Path chain, Path key) {

    /** The names in every leaf's subjectAltName. */
    public static final String SAN = "DNS:localhost,DNS:api.example.com,DNS:web.example.com,IP:127.0.0.1";

    /** A new CA in {@code dir} and a leaf it signs, named {@code name}{@code .pem} and {@code name}{@code .key}. */
    public static TestCertificates create(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            Path caKey = dir.resolve(name + "-ca.key");
            Path ca = dir.resolve(name + "-ca.pem");
            openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=" + name + " test CA",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            return leaf(dir, name, ca, caKey, SAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Another leaf of the same CA, with {@code san} as its names, e.g. {@code DNS:other.example}. */
    public TestCertificates another(String name, String san) {
        try {
            return leaf(dir, name, ca, Path.of(ca.toString().replace("-ca.pem", "-ca.key")), san);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestCertificates leaf(Path dir, String name, Path ca, Path caKey, String san) throws IOException {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path chain = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "subjectAltName=" + san + "\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", chain.toString(), "-days", "2", "-extfile", ext.toString());
        return new TestCertificates(dir, ca, chain, key);
    }

    /** Runs {@code openssl ARGS} in {@code dir}; fails with its output unless it exits 0. */
    public static String openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("openssl is needed (Debian package openssl; scripts/test-tools.sh installs it)", e);
        }
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return output;
    }
}
