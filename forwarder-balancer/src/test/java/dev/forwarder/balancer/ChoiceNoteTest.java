package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ChoiceNote;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What each strategy notes about a pick, and the words it becomes when asked. */
class ChoiceNoteTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.1.2.3", 40000);

    /** Keeps the last note, as the relay's connector does. */
    private static final class Kept implements ChoiceNote {
        private Reason reason;
        private Backend first;
        private Backend second;
        private long a;
        private long b;
        private long c;

        @Override
        public void note(Reason reason, Backend first, Backend second, long a, long b, long c) {
            this.reason = reason;
            this.first = first;
            this.second = second;
            this.a = a;
            this.b = b;
            this.c = c;
        }

        String words() {
            return reason == null ? null : reason.describe(first, second, a, b, c);
        }
    }

    @Test
    void leastConnectionsSaysTheCountsItCompared() {
        List<PoolMember> members = TestMembers.weighted(1, 1, 1);
        members.get(0).acquired();
        members.get(0).acquired();
        members.get(1).acquired();
        members.get(2).acquired();
        members.get(2).acquired();
        members.get(2).acquired();
        Kept note = new Kept();
        PoolMember picked = BalancingStrategy.leastConnections().pick(members, CLIENT, List.of(), note);
        assertThat(picked).isSameAs(members.get(1));
        assertThat(note.words()).isEqualTo("least-connections active=1 lowest_of=3 highest=3");
    }

    @Test
    void roundRobinSaysItsPlaceInTheCycle() {
        List<PoolMember> members = TestMembers.weighted(1, 1);
        BalancingStrategy strategy = BalancingStrategy.roundRobin();
        Kept note = new Kept();
        strategy.pick(members, CLIENT, List.of(), note);
        assertThat(note.words()).isEqualTo("round-robin position=0 cycle=2");
        PoolMember second = strategy.pick(members, CLIENT, List.of(), note);
        assertThat(note.words()).isEqualTo("round-robin position=1 cycle=2");
        strategy.pick(members, CLIENT, List.of(second), note);
        assertThat(note.words()).isEqualTo("round-robin position=0 cycle=2");
        strategy.pick(members, CLIENT, List.of(second), note);
        assertThat(note.words()).isEqualTo("round-robin position=0 cycle=2 skipped=1");
    }

    @Test
    void randomTwoSaysBothCandidatesAndTheirCounts() {
        List<PoolMember> members = TestMembers.weighted(1, 1);
        members.get(1).acquired();
        Kept note = new Kept();
        PoolMember picked = BalancingStrategy.randomTwo().pick(members, CLIENT, List.of(), note);
        assertThat(picked).isSameAs(members.get(0));
        assertThat(note.words()).matches("random-two candidates=127\\.0\\.0\\.1:900[12]\\(active=[01]\\),"
                + "127\\.0\\.0\\.1:900[12]\\(active=[01]\\)").contains("9001(active=0)", "9002(active=1)");
    }

    @Test
    void maglevSaysTheKeyAndSlotAndWhenItWalkedOn() {
        List<PoolMember> members = TestMembers.weighted(1, 1, 1);
        BalancingStrategy strategy = BalancingStrategy.maglev();
        Kept note = new Kept();
        PoolMember owner = strategy.pick(members, CLIENT, List.of(), note);
        String key = String.format("%016x", MaglevTable.keyOf(CLIENT));
        assertThat(note.words()).startsWith("maglev key=" + key + " slot=").doesNotContain("owner=");
        strategy.pick(members, CLIENT, List.of(owner), note);
        assertThat(note.words()).contains("key=" + key).endsWith(" owner=" + owner.name() + " (tried, walked on)");
    }

    @Test
    void aPoolPassesTheNoteToItsStrategyAndAPlainChooseNotesNothing() {
        Pool pool = Pool.of("p", BalancingStrategy.leastConnections(), TestMembers.specs(2));
        Kept note = new Kept();
        assertThat(pool.choose(CLIENT, List.of(), note)).isNotNull();
        assertThat(note.words()).isEqualTo("least-connections active=0 lowest_of=2 highest=0");
        assertThat(pool.choose(CLIENT, List.of())).isNotNull();
    }
}
