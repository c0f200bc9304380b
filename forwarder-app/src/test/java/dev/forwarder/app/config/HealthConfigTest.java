package dev.forwarder.app.config;

import dev.forwarder.balancer.BackendSpec;
import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.OnDown;
import dev.forwarder.balancer.PoolSettings;
import dev.forwarder.balancer.health.HealthCheckSettings;
import dev.forwarder.balancer.health.HealthCheckType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The keys of issue 3: limits, failover, passive and active health, slow start, on-down, DNS, when-no-backend. */
class HealthConfigTest {

    @TempDir
    Path dir;

    private static final String FULL = """
            forwarder {
              pool-defaults { health-check { interval = 5s, rise = 4 } }
              listeners { web { bind = "127.0.0.1:8080", pool = web, when-no-backend = pause-accept } }
              pools {
                web {
                  strategy = least-connections
                  backends = [ "127.0.0.1:9001", { address = "127.0.0.1:9002", weight = 2, backup = true, max-connections = 100 } ]
                  connect-tries = 2
                  connect-deadline = 4s
                  max-connections = 50
                  queue-timeout = 750ms
                  max-fails = 5
                  fail-timeout = 30s
                  slow-start = 20s
                  on-down = close-sessions
                  resolve-interval = 15s
                  health-check {
                    type = send-expect
                    timeout = 300ms
                    fall = 2
                    jitter = 25%
                    send = "PING\\r\\n"
                    expect = "+PONG"
                    initial-state = up
                  }
                }
              }
            }
            """;

    @Test
    void readsEveryNewKeyAndMergesHealthCheckWithItsDefaults() {
        ForwarderConfig config = ConfigLoader.parse(FULL, "full");
        PoolConfig web = config.pools().get("web");

        assertThat(config.listeners().get("web").whenNoBackend()).isEqualTo(WhenNoBackend.PAUSE_ACCEPT);
        assertThat(web.connectTries()).isEqualTo(2);
        assertThat(web.connectDeadline()).isEqualTo(Duration.ofSeconds(4));
        assertThat(web.queueTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(web.connectPolicy().queueTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(web.backends().get(1)).isEqualTo(new BackendSpec("127.0.0.1", 9002, 2, true, 100));
        PoolSettings settings = web.settings();
        assertThat(settings.maxConnections()).isEqualTo(50);
        assertThat(settings.maxFails()).isEqualTo(5);
        assertThat(settings.failTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.slowStart()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.onDown()).isEqualTo(OnDown.CLOSE_SESSIONS);
        assertThat(settings.resolveInterval()).isEqualTo(Duration.ofSeconds(15));
        HealthCheckSettings check = settings.healthCheck();
        assertThat(check.type()).isEqualTo(HealthCheckType.SEND_EXPECT);
        assertThat(check.interval()).as("from pool-defaults").isEqualTo(Duration.ofSeconds(5));
        assertThat(check.rise()).as("from pool-defaults").isEqualTo(4);
        assertThat(check.timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(check.fall()).isEqualTo(2);
        assertThat(check.jitterPercent()).isEqualTo(25);
        assertThat(check.send()).isEqualTo("PING\r\n");
        assertThat(check.expect()).isEqualTo("+PONG");
        assertThat(check.initialState()).isEqualTo(MemberState.UP);
    }

    @Test
    void httpCheckWithASingleExpectedStatus() {
        PoolConfig web = ConfigLoader.parse(ConfigFiles.example("", """

                      health-check { type = http, path = "/healthz", expect-status = 204 }"""), "http")
                .pools().get("web");

        assertThat(web.settings().healthCheck().path()).isEqualTo("/healthz");
        assertThat(web.settings().healthCheck().expectStatusMin()).isEqualTo(204);
        assertThat(web.settings().healthCheck().expectStatusMax()).isEqualTo(204);
    }

    @Test
    void printedConfigReadsBackEqual() {
        ForwarderConfig config = ConfigLoader.parse(FULL, "full");

        assertThat(ConfigLoader.parse(ConfigPrinter.render(config), "printed")).isEqualTo(config);
    }

    private ConfigError errorAt(String poolExtra, String marker, String key) {
        String text = ConfigFiles.example("", poolExtra);
        Path file = ConfigFiles.write(dir, "fwd.conf", text);
        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));
        assertThat(error).as("expected a config error for:%n%s", text).isNotNull();
        assertThat(error.key()).isEqualTo(key);
        assertThat(error.line()).isEqualTo(ConfigFiles.lineOf(text, marker));
        assertThat(error.getMessage()).startsWith(file + ":" + error.line() + ": " + key + ": ");
        return error;
    }

    @Test
    void unknownHealthCheckType() {
        ConfigError error = errorAt("\n      health-check { type = ping }", "type = ping",
                "forwarder.pools.web.health-check.type");

        assertThat(error.problem()).isEqualTo("\"ping\" is not one of: none, tcp, send-expect, http");
    }

    @Test
    void sendExpectWithoutSend() {
        ConfigError error = errorAt("\n      health-check { type = send-expect, expect = \"+PONG\" }",
                "send-expect", "forwarder.pools.web.health-check.send");

        assertThat(error.problem()).startsWith("empty, but type = send-expect sends it");
    }

    @Test
    void sendExpectWithoutExpect() {
        ConfigError error = errorAt("\n      health-check { type = send-expect, send = \"PING\" }",
                "send-expect", "forwarder.pools.web.health-check.expect");

        assertThat(error.problem()).startsWith("empty, and so is expect-regex");
    }

    @Test
    void badRegex() {
        ConfigError error = errorAt("\n      health-check { expect-regex = \"(oops\" }", "oops",
                "forwarder.pools.web.health-check.expect-regex");

        assertThat(error.problem()).startsWith("\"(oops\" is not a regular expression");
    }

    @Test
    void riseBelowOne() {
        ConfigError error = errorAt("\n      health-check { rise = 0 }", "rise",
                "forwarder.pools.web.health-check.rise");

        assertThat(error.problem()).isEqualTo("0 is out of range (expected: 1-100)");
    }

    @Test
    void jitterOutOfRangeOrWithoutPercentSign() {
        assertThat(errorAt("\n      health-check { jitter = 60% }", "jitter",
                "forwarder.pools.web.health-check.jitter").problem())
                .isEqualTo("\"60%\" is out of range (expected: 0%-50%)");
        assertThat(errorAt("\n      health-check { jitter = 0.1 }", "jitter",
                "forwarder.pools.web.health-check.jitter").problem())
                .startsWith("0.1 is not a percentage");
    }

    @Test
    void statusRangeBackwards() {
        ConfigError error = errorAt("\n      health-check { expect-status = [399, 200] }", "expect-status",
                "forwarder.pools.web.health-check.expect-status");

        assertThat(error.problem()).startsWith("[399,200] is out of range");
    }

    @Test
    void pathWithoutSlash() {
        ConfigError error = errorAt("\n      health-check { path = health }", "path",
                "forwarder.pools.web.health-check.path");

        assertThat(error.problem()).startsWith("\"health\" is not a path");
    }

    @Test
    void typoInHealthCheck() {
        ConfigError error = errorAt("\n      health-check { intervl = 1s }", "intervl",
                "forwarder.pools.web.health-check.intervl");

        assertThat(error.problem()).startsWith("unknown key, did you mean interval?");
    }

    @Test
    void healthCheckNotAnObject() {
        ConfigError error = errorAt("\n      health-check = tcp", "health-check",
                "forwarder.pools.web.health-check");

        assertThat(error.problem()).isEqualTo("\"tcp\" is not an object (expected: { ... })");
    }

    @Test
    void unknownOnDownAndWhenNoBackend() {
        assertThat(errorAt("\n      on-down = drop", "on-down", "forwarder.pools.web.on-down").problem())
                .isEqualTo("\"drop\" is not one of: keep-sessions, close-sessions");
        String text = ConfigFiles.example(", when-no-backend = refuse", "");
        Path file = ConfigFiles.write(dir, "listener.conf", text);
        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));
        assertThat(error.key()).isEqualTo("forwarder.listeners.web.when-no-backend");
        assertThat(error.problem()).isEqualTo("\"refuse\" is not one of: close, pause-accept");
    }

    @Test
    void spliceIsAutoByDefaultAndCanBeTurnedOff() throws Exception {
        Path auto = ConfigFiles.write(dir, "auto.conf", ConfigFiles.example("", ""));
        assertThat(ConfigLoader.load(auto).listeners().get("web").toSettings(java.time.Duration.ofSeconds(3))
                .splice()).isEqualTo(dev.forwarder.core.Splice.AUTO);
        Path off = ConfigFiles.write(dir, "off.conf", ConfigFiles.example(", splice = off", ""));
        assertThat(ConfigLoader.load(off).listeners().get("web").splice()).isEqualTo(dev.forwarder.core.Splice.OFF);
        Path bad = ConfigFiles.write(dir, "bad.conf", ConfigFiles.example(", splice = on", ""));
        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(bad));
        assertThat(error.key()).isEqualTo("forwarder.listeners.web.splice");
        assertThat(error.problem()).isEqualTo("\"on\" is not one of: auto, off");
    }

    @Test
    void negativeOrUnitlessDurationsAndCounts() {
        assertThat(errorAt("\n      queue-timeout = -1s", "queue-timeout", "forwarder.pools.web.queue-timeout")
                .problem()).startsWith("\"-1s\" is negative");
        assertThat(errorAt("\n      connect-deadline = 0s", "connect-deadline",
                "forwarder.pools.web.connect-deadline").problem()).startsWith("\"0s\" is zero");
        assertThat(errorAt("\n      slow-start = 30", "slow-start", "forwarder.pools.web.slow-start").problem())
                .startsWith("30 has no unit");
        assertThat(errorAt("\n      max-fails = -1", "max-fails", "forwarder.pools.web.max-fails").problem())
                .isEqualTo("-1 is out of range (expected: 0-1000)");
        assertThat(errorAt("\n      max-connections = -5", "max-connections",
                "forwarder.pools.web.max-connections").problem()).startsWith("-5 is out of range");
    }

    @Test
    void backendMaxConnectionsOutOfRange() {
        String text = ConfigFiles.example("", "").replace("weight = 2", "weight = 2, max-connections = -1");
        Path file = ConfigFiles.write(dir, "backend.conf", text);
        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));
        assertThat(error.key()).isEqualTo("forwarder.pools.web.backends[1].max-connections");
        assertThat(error.problem()).startsWith("-1 is out of range");
    }

    @Test
    void errorsInPoolDefaultsNameTheDefaultsKey() {
        String text = """
                forwarder {
                  pool-defaults { health-check { fall = 0 } }
                  listeners { web { bind = "127.0.0.1:8080", pool = web } }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """;
        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.parse(text, "defaults"));
        assertThat(error.key()).isEqualTo("forwarder.pool-defaults.health-check.fall");
        assertThat(error.line()).isEqualTo(2);
    }
}
