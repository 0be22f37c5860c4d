package dev.kdive.finding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Findings are data: absent parts are absent (no 0/-1 sentinels), kinds are stable names, prose comes from the fields. */
class FindingTest {
    @Test
    void aSlabFindingFromTheWalksRawValuesHasNoSentinels() {
        SlabDamage d = SlabDamage.of(SlabDamage.Damage.NON_CANONICAL, "kmalloc-192", 0xffff_8880_0104_2800L, 0, -1, 0xffff_ea00_0073_f3c0L, 0,
                0, 0, 0xffff_00c6_dcfc_f540L, "CPU 0 per-cpu freelist", null,
                List.of(Evidence.at("kmem_cache ffff888001042800", 0xffff_8880_0104_2800L)));
        assertThat(d.cpu()).isZero();
        assertThat(d.node()).isNull();
        assertThat(d.object()).isNull();
        assertThat(d.slot()).isNull();
        assertThat(d.stored()).isNull();
        assertThat(d.pointer()).isEqualTo(0xffff_00c6_dcfc_f540L);
        assertThat(d.summary()).isEqualTo("kmalloc-192: CPU 0 per-cpu freelist: non-canonical pointer ffff00c6dcfcf540");
        SlabDamage chained = SlabDamage.of(SlabDamage.Damage.OUTSIDE_SLAB, "kmalloc-192", 0xffff_8880_0104_2800L, 0, -1, 0xffff_ea00_0073_f3c0L,
                0xffff_8880_1cfc_f500L, 0xffff_8880_1cfc_f560L, 0x1234L, 0xffff_8880_2000_0000L, "CPU 0 per-cpu freelist", null, List.of());
        assertThat(chained.summary()).isEqualTo("kmalloc-192: CPU 0 per-cpu freelist: pointer outside its slab ffff888020000000"
                + " (from the free pointer of ffff88801cfcf500 at ffff88801cfcf560)");
        assertThat(d.kind()).isEqualTo("slab.non_canonical");
        assertThat(d.severity()).isEqualTo(Severity.CORRUPTION);
        assertThat(d.onCpu(0)).isTrue();
        assertThat(d.onCpu(1)).isFalse();
    }

    @Test
    void aLoopSaysWhereItCameRound() {
        ListCorruption l = new ListCorruption(ListCorruption.Damage.LOOP, "modules", 0xffff_ffff_8200_0000L, 0xffff_ffff_c000_1008L,
                0xffff_ffff_8200_0000L, 0xffff_ffff_c000_0008L, 3, List.of());
        assertThat(l.summary()).isEqualTo("modules loops without returning to its head: after 3 entries, link ffffffffc0001008 comes round again");
        assertThat(l.kind()).isEqualTo("list.loop");
    }

    @Test
    void whatTheDumpLacksIsNotCorruption() {
        UnreadableMemory u = new UnreadableMemory("task_struct ffff888002000000", "kernel virtual address", 0xffff_8880_0200_0000L,
                "page excluded by makedumpfile -d 31", List.of());
        assertThat(u.severity()).isEqualTo(Severity.UNREADABLE);
        assertThat(u.summary()).isEqualTo("task_struct ffff888002000000: kernel virtual address ffff888002000000: page excluded by makedumpfile -d 31");
        assertThat(new Unavailable("modules", "no symbol \"modules\"").severity()).isEqualTo(Severity.LIMITATION);
    }
}
