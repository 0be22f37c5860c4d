package dev.kdive.dump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class NameSlotsTest {
    private static final List<String> NAMES = List.of("schedule", "panic", "do_exit", "panic", "", "init_task");

    private static NameSlots slots(NameSlots.Choice choice) {
        return new NameSlots(MemorySegment.ofArray(NameSlots.build(NAMES.size(), i -> i == 4 ? null : NAMES.get(i), choice)));
    }

    @Test
    void findsEachNameAndNothingElse() {
        NameSlots s = slots((kept, other) -> false);
        for (String n : List.of("schedule", "do_exit", "init_task")) {
            assertThat(s.find(n, i -> NAMES.get(i).equals(n))).isEqualTo(NAMES.indexOf(n));
        }
        assertThat(s.find("panic_notifier", i -> NAMES.get(i).equals("panic_notifier"))).isEqualTo(-1);
        assertThat(s.find("", i -> NAMES.get(i).isEmpty())).as("entry 4 is not indexed").isEqualTo(-1);
        assertThat(s.entries().sorted().boxed().toList()).containsExactly(0, 1, 2, 5);
    }

    @Test
    void ofTwoEntriesOfOneNameTheChoiceKeepsOne() {
        assertThat(slots((kept, other) -> false).find("panic", i -> NAMES.get(i).equals("panic"))).isEqualTo(1);
        assertThat(slots((kept, other) -> true).find("panic", i -> NAMES.get(i).equals("panic"))).isEqualTo(3);
    }

    @Test
    void aTableThatIsNotAPowerOfTwoOfSlotsIsRefused() {
        assertThatThrownBy(() -> new NameSlots(MemorySegment.ofArray(new byte[12]))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }

    /** A full table (only a damaged file could hold one) ends the search instead of probing for ever. */
    @Test
    void aFullTableEndsTheSearch() {
        MemorySegment full = MemorySegment.ofArray(new byte[16]);
        for (int i = 0; i < 4; i++) {
            full.setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, i, 1);
        }
        assertThat(new NameSlots(full).find("x", i -> false)).isEqualTo(-1);
    }
}
