package dev.kdive.arch.x86_64;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** pte's decoding of one entry: crash's answers on the lab dumps, and a swap entry the kernel's way. */
class PageTableEntryTest {
    @Test
    void presentEntriesGiveTheFrameAndCrashsFlagNames() {
        assertThat(PageTables.decode(0x8000000012345067L))
                .isEqualTo(new PageTables.Entry.Present(0x8000000012345067L, 0x12345000L, "PRESENT|RW|USER|ACCESSED|DIRTY|NX"));
        assertThat(PageTables.decode(0x12345081L)).isEqualTo(new PageTables.Entry.Present(0x12345081L, 0x12345000L, "PRESENT|PSE"));
        assertThat(PageTables.decode(0)).isEqualTo(new PageTables.Entry.None());
    }

    @Test
    void aSwapEntryKeepsItsTypeOnTopAndItsOffsetInverted() {
        // mk_swap_pte(type 3, offset 0x1234) as arch/x86/include/asm/pgtable_64.h builds it: ~offset from bit 9, type in bits 59..63
        long offset = 0x1234;
        long entry = (~offset << 14 >>> 5) | (3L << 59);
        assertThat(PageTables.decode(entry)).isEqualTo(new PageTables.Entry.Swap(entry, 3, offset));
    }
}
