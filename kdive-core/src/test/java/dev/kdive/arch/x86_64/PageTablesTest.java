package dev.kdive.arch.x86_64;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.arch.Translation;
import dev.kdive.dump.DumpFile;
import dev.kdive.dump.MemoryFault;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 4-level walk over a synthetic ELF core holding hand-made tables: a 4 KiB page, a 2 MiB page,
 * a not-present entry, a table the dump lacks, a non-canonical address, and an SME bit to strip.
 */
class PageTablesTest {
    private static final long PGD = 0x1000;
    private static final long PUD = 0x2000;
    private static final long PMD = 0x3000;
    private static final long PTE = 0x4000;
    private static final long DATA = 0x5000;
    private static final long SME = 1L << 47; // the memory-encryption bit, as VMCOREINFO's NUMBER(sme_mask) gives it
    private static final long FLAGS = 0x63; // PRESENT|RW|ACCESSED|DIRTY
    private static final long BASE = 0xffff_8880_0000_0000L; // PGD 273, PUD 0
    private final ByteBuffer memory = ByteBuffer.allocate(8 * 4096).order(ByteOrder.LITTLE_ENDIAN);

    private static int index(long vaddr, int shift) {
        return (int) (vaddr >>> shift & 511);
    }

    private Path core(Path dir) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096 + memory.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) 4).putShort(18, (short) 62).putLong(32, 64).putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putLong(64 + 8, 4096).putLong(64 + 16, 0).putLong(64 + 24, 0) // PT_LOAD of physical 0.. at file offset 4096
                .putLong(64 + 32, memory.capacity()).putLong(64 + 40, memory.capacity());
        b.put(4096, memory.array());
        Path p = dir.resolve("tables.elf");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void walksEachLevelAndStopsWhereTheTablesSay(@TempDir Path dir) throws Exception {
        long small = BASE + 0x1000 * 5 + 0x123; // PMD 0, PTE 5: a 4 KiB page
        long large = BASE + (1L << 21) + 0x4567; // PMD 1: a 2 MiB page
        long absent = BASE + (2L << 21); // PMD 2: not present
        long lost = BASE + (3L << 21); // PMD 3: a page table the dump does not hold
        memory.putLong((int) (PGD + index(BASE, 39) * 8), PUD | FLAGS | SME);
        memory.putLong((int) (PUD + index(BASE, 30) * 8), PMD | FLAGS);
        memory.putLong((int) (PMD + index(small, 21) * 8), PTE | FLAGS);
        memory.putLong((int) (PTE + index(small, 12) * 8), DATA | FLAGS | SME | 1L << 63);
        memory.putLong((int) (PMD + index(large, 21) * 8), 0x20_0000L | PageTables.PSE | FLAGS);
        memory.putLong((int) (PMD + index(lost, 21) * 8), 0x10_0000_0000L | FLAGS);
        try (DumpFile dump = DumpFile.open(core(dir))) {
            PageTables tables = new PageTables(dump.memory(), PGD, false, SME, MemoryFault.Space.KERNEL);

            Translation t = tables.translate(small);
            assertThat(t).isInstanceOfSatisfying(Translation.Mapped.class, m -> {
                assertThat(m.physical()).isEqualTo(DATA + 0x123);
                assertThat(m.pageSize()).isEqualTo(4096);
                assertThat(m.walk()).extracting(Translation.Step::level).containsExactly("PGD", "PUD", "PMD", "PTE");
                assertThat(PageTables.entryFlags(m.walk().getLast().entry())).isEqualTo("PRESENT|RW|ACCESSED|DIRTY|NX");
            });
            assertThat(tables.translate(large)).isInstanceOfSatisfying(Translation.Mapped.class, m -> {
                assertThat(m.physical()).isEqualTo(0x20_4567L);
                assertThat(m.pageSize()).isEqualTo(1L << 21);
                assertThat(m.walk()).hasSize(3);
            });
            assertThat(tables.translate(absent)).isInstanceOfSatisfying(Translation.Unmapped.class, u -> {
                assertThat(u.reason()).startsWith("not mapped: PMD entry at physical 3010 is not present");
                assertThat(u.walk()).hasSize(3);
            });
            assertThat(tables.translate(lost)).isInstanceOfSatisfying(Translation.Unmapped.class,
                    u -> assertThat(u.reason()).startsWith("PTE table page at physical 1000000000 is unreadable"));
            assertThat(tables.translate(0x0000_8000_0000_0000L)).isInstanceOfSatisfying(Translation.Unmapped.class,
                    u -> assertThat(u.reason()).contains("non-canonical"));
            // the same page again comes from the cache, at its own offset
            assertThat(tables.translate(small + 0x10)).isInstanceOfSatisfying(Translation.Mapped.class,
                    m -> assertThat(m.physical()).isEqualTo(DATA + 0x133));
        }
    }
}
