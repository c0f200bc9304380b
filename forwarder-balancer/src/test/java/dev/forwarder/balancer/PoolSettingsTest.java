package dev.forwarder.balancer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolSettingsTest {

    @Test
    void maxQueueIsBoundedAndDefaultsTo1024() {
        assertThat(PoolSettings.DEFAULT.maxQueue()).isEqualTo(1024);
        assertThat(PoolSettings.DEFAULT.withMaxQueue(1_000_000).maxQueue()).isEqualTo(1_000_000);
        assertThatThrownBy(() -> PoolSettings.DEFAULT.withMaxQueue(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueue: 0 (expected: 1-1000000)");
        assertThatThrownBy(() -> PoolSettings.DEFAULT.withMaxQueue(1_000_001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueue: 1000001 (expected: 1-1000000)");
    }
}
