package dev.forwarder.balancer;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A pool whose backends are all literal addresses starts no DNS machinery (checked in a fresh JVM). */
class ResolverStartupTest {

    @Test
    void literalBackendsStartNoDnsThread() throws Exception {
        Path output = Files.createTempFile("literal-pool-probe", ".log");
        try {
            Process probe = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), LiteralPoolProbe.class.getName())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            assertThat(probe.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
            assertThat(probe.exitValue()).as("exit status (3: a DNS thread was started); output:%n%s",
                    Files.readString(output)).isZero();
        } finally {
            Files.deleteIfExists(output);
        }
    }

}
