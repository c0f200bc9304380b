package dev.forwarder.app.loadtest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PacerTest {

    @Test
    void closedModelStartsWhenTheConnectionIsFree() {
        Pacer pacer = Pacer.closed();
        assertThat(pacer.next(123)).isEqualTo(123);
        assertThat(pacer.next(456)).isEqualTo(456);
    }

    @Test
    void openModelKeepsItsScheduleWhenTheConnectionFallsBehind() {
        Pacer pacer = Pacer.open(1_000, 100);
        assertThat(pacer.next(0)).isEqualTo(1_000);
        // Free only at 1_450: the late requests keep their intended times, so their wait is counted.
        assertThat(pacer.next(1_450)).isEqualTo(1_100);
        assertThat(pacer.next(1_450)).isEqualTo(1_200);
    }
}
