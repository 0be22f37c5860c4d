package dev.kdive.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignalsTest {
    @Test
    void namesFollowX86NumbersAndTheRealTimeRange() {
        assertThat(Signals.name(9)).isEqualTo("SIGKILL");
        assertThat(Signals.name(17)).isEqualTo("SIGCHLD/SIGCLD");
        assertThat(Signals.name(32)).isEqualTo("SIGRTMIN");
        assertThat(Signals.name(48)).isEqualTo("SIGRTMIN+16");
        assertThat(Signals.name(49)).isEqualTo("SIGRTMAX-15");
        assertThat(Signals.name(64)).isEqualTo("SIGRTMAX");
        assertThat(Signals.name(0)).isNull();
        assertThat(Signals.name(65)).isNull();
    }

    @Test
    void aSigsetNamesEachBitByItsFirstName() {
        // bit n-1 is signal n: SIGHUP (bit 0), SIGCHLD (bit 16), SIGRTMAX (bit 63)
        assertThat(Signals.members(0x8000000000010001L)).containsExactly("SIGHUP", "SIGCHLD", "SIGRTMAX");
        assertThat(Signals.members(0)).isEmpty();
    }
}
