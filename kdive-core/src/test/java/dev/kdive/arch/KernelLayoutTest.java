package dev.kdive.arch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.arch.x86_64.KernelLayout;
import dev.kdive.arch.x86_64.PageTables;
import org.junit.jupiter.api.Test;

/** The x86-64 kernel address space (Documentation/arch/x86/x86_64/mm.rst) and page-table entry bits. */
class KernelLayoutTest {
    private final KernelLayout layout = new KernelLayout(0x1c00_0000L, 0x1_0000_0000L, 1L << 30, false,
            KernelLayout.DEFAULT_PAGE_OFFSET, 0xffff_c900_0000_0000L, 0xffff_ea00_0000_0000L);

    @Test
    void mapsTheImageAndTheDirectMap() {
        assertThat(layout.imagePhysical(0xffff_ffff_8100_0000L)).isEqualTo(0x1_0100_0000L);
        assertThat(layout.directMap(0x1000)).isEqualTo(0xffff_8880_0000_1000L);
        assertThat(layout.modulesStart()).isEqualTo(0xffff_ffff_c000_0000L);
    }

    @Test
    void namesTheRegions() {
        assertThat(layout.region(0x7fff_0000_0000L)).isEqualTo("user");
        assertThat(layout.region(0xffff_ffff_8100_0000L)).isEqualTo("kernel image");
        assertThat(KernelLayout.kernelHalf(0xffff_8880_0000_0000L)).isTrue();
    }

    @Test
    void namesPageTableEntryBitsAsCrashDoes() {
        assertThat(PageTables.entryFlags(0x8000_0000_0260_0063L)).isEqualTo("PRESENT|RW|ACCESSED|DIRTY|NX");
        assertThat(PageTables.entryFlags(0x0000_0000_0260_01e3L)).isEqualTo("PRESENT|RW|ACCESSED|DIRTY|PSE|GLOBAL");
        assertThat(PageTables.entryFlags(0)).isEmpty();
    }
}
