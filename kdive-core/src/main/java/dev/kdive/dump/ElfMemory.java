package dev.kdive.dump;

import java.lang.foreign.MemorySegment;
import java.util.Comparator;
import java.util.List;

/** Physical memory of an ELF core: PT_LOAD segments by physical address (p_paddr). */
record ElfMemory(ElfCore core, List<ElfCore.ProgramHeader> loads) implements PhysicalMemory {
    private static final MemorySegment ZERO = MemorySegment.ofArray(new byte[PAGE_SIZE]);

    static ElfMemory of(ElfCore core) {
        List<ElfCore.ProgramHeader> loads = core.programHeaders().stream().filter(p -> p.type() == ElfCore.PT_LOAD)
                .sorted(Comparator.comparingLong(ElfCore.ProgramHeader::paddr)).toList();
        return new ElfMemory(core, loads);
    }

    @Override
    public Page page(long pfn) {
        long addr = pfn * PAGE_SIZE;
        int lo = 0;
        int hi = loads.size() - 1;
        while (lo <= hi) { // the last load starting at or below addr
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(loads.get(mid).paddr(), addr) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (hi < 0) {
            return new Page.Absent(pfn, "no PT_LOAD segment covers physical address 0x" + Long.toHexString(addr));
        }
        ElfCore.ProgramHeader p = loads.get(hi);
        long delta = addr - p.paddr();
        if (delta + PAGE_SIZE <= p.fileSize()) {
            long off = p.offset() + delta;
            if (off + PAGE_SIZE > core.bytes().size()) {
                return new Page.Corrupt(pfn, core.path() + ": PT_LOAD data for physical address 0x" + Long.toHexString(addr)
                        + " at offset 0x" + Long.toHexString(off) + " lies past the end of the file (truncated?)");
            }
            return new Page.Data(pfn, core.bytes().segment().asSlice(off, PAGE_SIZE));
        }
        if (delta + PAGE_SIZE <= p.memSize()) {
            return new Page.Data(pfn, ZERO); // p_memsz beyond p_filesz reads as zeros (gABI)
        }
        return new Page.Absent(pfn, "no PT_LOAD segment covers physical address 0x" + Long.toHexString(addr));
    }

    @Override
    public Census census() {
        long present = loads.stream().mapToLong(p -> p.memSize() / PAGE_SIZE).sum();
        return new Census(present, 0, maxPfn() - present);
    }

    @Override
    public long maxPfn() {
        return loads.stream().mapToLong(p -> (p.paddr() + p.memSize() + PAGE_SIZE - 1) / PAGE_SIZE).max().orElse(0);
    }
}
