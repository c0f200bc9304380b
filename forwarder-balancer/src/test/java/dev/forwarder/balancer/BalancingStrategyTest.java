package dev.forwarder.balancer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BalancingStrategyTest {

    @Test
    void namesEveryStrategyTheConfigMayUse() {
        assertThat(BalancingStrategy.names())
                .containsExactly("round-robin", "least-connections", "random-two", "maglev");
    }

    @Test
    void buildsAFreshStrategyForEachName() {
        for (String name : BalancingStrategy.names()) {
            BalancingStrategy strategy = BalancingStrategy.named(name);
            assertThat(strategy).hasToString(name);
            assertThat(BalancingStrategy.named(name.toUpperCase(java.util.Locale.ROOT)))
                    .isNotSameAs(strategy)
                    .hasSameClassAs(strategy);
        }
    }

    @Test
    void factoriesMatchTheirNames() {
        assertThat(BalancingStrategy.roundRobin()).hasToString("round-robin");
        assertThat(BalancingStrategy.leastConnections()).hasToString("least-connections");
        assertThat(BalancingStrategy.randomTwo()).hasToString("random-two");
        assertThat(BalancingStrategy.maglev()).hasToString("maglev");
    }

    @Test
    void rejectsAnUnknownNameListingTheKnownOnes() {
        assertThatThrownBy(() -> BalancingStrategy.named("least-conn"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("strategy: \"least-conn\" (expected one of: round-robin, least-connections, random-two,"
                        + " maglev)");
    }
}
