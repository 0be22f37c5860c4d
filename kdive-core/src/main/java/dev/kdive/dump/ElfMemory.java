package dev.kdive.dump;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Physical memory of an ELF core: PT_LOAD segments by physical address (p_paddr). QEMU's
 * {@code paging=true} cores have one segment per virtual mapping, so a physical page mapped twice
 * (kernel image and direct map) is in two segments; the segments are cut into disjoint physical
 * ranges first, each page then found by one binary search.
 */
record ElfMemory(ElfCore core, List<ElfCore.ProgramHeader> loads) implements PhysicalMemory {
    private static final MemorySegment ZERO = MemorySegment.ofArray(new byte[PAGE_SIZE]);

    static ElfMemory of(ElfCore core) {
        List<ElfCore.ProgramHeader> sorted = core.programHeaders().stream().filter(p -> p.type() == ElfCore.PT_LOAD)
                .sorted(Comparator.comparingLong(ElfCore.ProgramHeader::paddr)).toList();
        List<ElfCore.ProgramHeader> disjoint = new ArrayList<>(sorted.size());
        long end = Long.MIN_VALUE; // end of the physical range covered so far
        for (ElfCore.ProgramHeader p : sorted) {
            long pEnd = p.paddr() + p.memSize();
            if (end != Long.MIN_VALUE && Long.compareUnsigned(pEnd, end) <= 0) {
                continue; // wholly inside ranges already taken: the same physical bytes
            }
            long skip = end != Long.MIN_VALUE && Long.compareUnsigned(p.paddr(), end) < 0 ? end - p.paddr() : 0;
            disjoint.add(new ElfCore.ProgramHeader(p.type(), p.offset() + skip, p.vaddr() + skip, p.paddr() + skip,
                    Math.max(0, p.fileSize() - skip), p.memSize() - skip));
            end = pEnd;
        }
        return new ElfMemory(core, List.copyOf(disjoint));
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
