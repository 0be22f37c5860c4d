package dev.kdive.arch.x86_64;

import dev.kdive.arch.AddressSpace;
import dev.kdive.arch.Translation;
import dev.kdive.dump.MemoryFault;
import dev.kdive.dump.PhysicalMemory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An x86-64 address space: 4-level (PGD, PUD, PMD, PTE) or, with LA57, 5-level paging (P4D
 * between PGD and PUD), 9 index bits per level, 1 GiB pages at the PUD and 2 MiB pages at the PMD
 * when PSE (bit 7) is set (Intel SDM vol. 3, 4.5; arch/x86/include/asm/pgtable_types.h). Entries
 * hold the next table's physical address in bits 12..51, minus the SME encryption bit.
 */
public final class PageTables implements AddressSpace {
    static final long PRESENT = 1L;
    static final long PSE = 1L << 7;
    private static final long ADDRESS_BITS = 0x000f_ffff_ffff_f000L;
    private static final String[] NAMES_4 = {"PGD", "PUD", "PMD", "PTE"};
    private static final String[] NAMES_5 = {"PGD", "P4D", "PUD", "PMD", "PTE"};
    private static final int CACHE = 4096;

    private final PhysicalMemory memory;
    private final long root;
    private final boolean fiveLevel;
    private final long addressMask;
    private final MemoryFault.Space space;
    private final Map<Long, Translation> cache = new LinkedHashMap<>(512, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Translation> e) {
            return size() > CACHE;
        }
    };

    /**
     * @param root     physical address of the top-level table (CR3 without its PCID bits)
     * @param smeMask  the memory-encryption bit to strip from entries (VMCOREINFO NUMBER(sme_mask)), or 0
     */
    public PageTables(PhysicalMemory memory, long root, boolean fiveLevel, long smeMask, MemoryFault.Space space) {
        this.memory = memory;
        this.root = root & ADDRESS_BITS;
        this.fiveLevel = fiveLevel;
        this.addressMask = ADDRESS_BITS & ~smeMask;
        this.space = space;
    }

    /** {@return the physical address of the top-level table} */
    public long root() {
        return root;
    }

    public boolean fiveLevel() {
        return fiveLevel;
    }

    @Override
    public PhysicalMemory physical() {
        return memory;
    }

    @Override
    public MemoryFault.Space space() {
        return space;
    }

    /** {@return whether bits 63..47 (63..56 with 5-level paging) all equal the top implemented bit} */
    public boolean canonical(long vaddr) {
        int bits = fiveLevel ? 57 : 48;
        long top = vaddr >> (bits - 1);
        return top == 0 || top == -1;
    }

    @Override
    public Translation translate(long vaddr) {
        long page = vaddr & ~(PAGE_SIZE - 1L);
        Translation t;
        synchronized (cache) {
            t = cache.get(page);
        }
        if (t == null) {
            t = walk(page);
            synchronized (cache) {
                cache.put(page, t);
            }
        }
        long inPage = vaddr - page;
        return switch (t) {
            case Translation.Mapped m -> new Translation.Mapped(vaddr, m.physical() + inPage, m.pageSize(), m.walk());
            case Translation.Unmapped u -> new Translation.Unmapped(vaddr, u.reason(), u.walk());
        };
    }

    /** {@return the translation of {@code vaddr} with every entry read on the way} */
    public Translation walk(long vaddr) {
        List<Translation.Step> steps = new ArrayList<>(5);
        if (!canonical(vaddr)) {
            return new Translation.Unmapped(vaddr, "non-canonical address (bits 63.." + (fiveLevel ? 56 : 47)
                    + " differ)", steps);
        }
        String[] names = fiveLevel ? NAMES_5 : NAMES_4;
        long table = root;
        for (int level = 0; level < names.length; level++) {
            int shift = 12 + 9 * (names.length - 1 - level);
            long entryAddress = table + ((vaddr >>> shift) & 511) * 8;
            long entry;
            try {
                entry = memory.u64(entryAddress);
            } catch (MemoryFault f) {
                return new Translation.Unmapped(vaddr, names[level] + " table page at physical "
                        + Long.toHexString(entryAddress) + " is unreadable: " + f.reason(), List.copyOf(steps));
            }
            steps.add(new Translation.Step(names[level], entryAddress, entry));
            if ((entry & PRESENT) == 0) {
                return new Translation.Unmapped(vaddr, "not mapped: " + names[level] + " entry at physical "
                        + Long.toHexString(entryAddress) + " is not present (" + Long.toHexString(entry) + ")", List.copyOf(steps));
            }
            boolean large = (shift == 30 || shift == 21) && (entry & PSE) != 0;
            if (large || shift == 12) {
                long size = 1L << shift;
                long base = entry & addressMask & ~(size - 1);
                return new Translation.Mapped(vaddr, base | (vaddr & (size - 1)), size, List.copyOf(steps));
            }
            table = entry & addressMask;
        }
        throw new IllegalStateException("unreachable: the PTE level always ends the walk");
    }

    /** x86 page-table entry bits 0..8 (arch/x86/include/asm/pgtable_types.h _PAGE_BIT_PRESENT .. _PAGE_BIT_GLOBAL). */
    private static final String[] ENTRY_BITS = {"PRESENT", "RW", "USER", "PWT", "PCD", "ACCESSED", "DIRTY", "PSE", "GLOBAL"};

    /** {@return a page-table entry's flags as crash names them, "PRESENT|RW|...|NX" (NX is bit 63)} */
    public static String entryFlags(long entry) {
        List<String> names = new ArrayList<>();
        for (int b = 0; b < ENTRY_BITS.length; b++) {
            if ((entry & (1L << b)) != 0) {
                names.add(ENTRY_BITS[b]);
            }
        }
        if (entry < 0) {
            names.add("NX");
        }
        return String.join("|", names);
    }

    /** What one page-table entry says on its own (crash's {@code pte}). */
    public sealed interface Entry {
        /** An empty entry: nothing mapped, nothing swapped. */
        record None() implements Entry {}

        /** A present entry: the page (or large page) frame and the flags as crash names them. */
        record Present(@dev.kdive.value.Hex long entry, @dev.kdive.value.Hex long physical, String flags) implements Entry {}

        /** A non-present, non-empty entry: a swap entry, its swap area ({@code swap_info[type]}) and page offset there. */
        record Swap(@dev.kdive.value.Hex long entry, int type, long offset) implements Entry {}
    }

    /**
     * {@return what a page-table entry holds}: present, a swap entry, or nothing. A swap entry keeps
     * its type in the top 5 bits and its offset inverted from bit 9 up (L1TF: the bits of a
     * non-present entry must not name real memory; arch/x86/include/asm/pgtable_64.h __swp_type,
     * __swp_offset).
     */
    public static Entry decode(long entry) {
        if (entry == 0) {
            return new Entry.None();
        }
        if ((entry & PRESENT) != 0) {
            return new Entry.Present(entry, entry & ADDRESS_BITS, entryFlags(entry));
        }
        int type = (int) (entry >>> (64 - 5));
        long offset = ~entry << 5 >>> (9 + 5);
        return new Entry.Swap(entry, type, offset);
    }
}
