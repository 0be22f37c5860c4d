package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The vmalloc areas in use (mm/vmalloc.c), as crash's {@code kmem -v} lists them: the busy
 * {@code vmap_area}s, from {@code vmap_area_list} before 6.9 and from each {@code vmap_nodes[]}'s
 * {@code busy.head} since, sorted by start, those with a {@code vm_struct}.
 */
public final class Vmalloc {
    private Vmalloc() {
    }

    public record Area(@Hex long vmapArea, @Hex long vmStruct, @Hex long start, @Hex long end) {}

    public record Areas(List<Area> areas, List<Finding> findings) {}

    public static Areas of(Program p) throws MemoryFault, UnknownSymbolException {
        KernelObject va0 = KernelObject.at(p, "vmap_area", 0);
        long listOffset = va0.member("list").offset();
        List<Long> all = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        if (p.symbols().lookup("vmap_nodes").isPresent()) {
            long nodes = p.kernel().u64(p.address("vmap_nodes"));
            int n = (int) p.kernel().u32(p.address("nr_vmap_nodes"));
            long size = KernelObject.at(p, "vmap_node", 0).struct().size();
            for (int i = 0; i < Math.min(n, 4096); i++) {
                KernelObject node = KernelObject.at(p, "vmap_node", nodes + i * size);
                Lists.Walk w = Lists.listForEachEntry(p, "vmap_nodes[" + i + "].busy", node.addressOf("busy.head"), listOffset, Lists.LIMIT);
                all.addAll(w.entries());
                findings.addAll(w.findings());
            }
        } else {
            Lists.Walk w = Lists.listForEachEntry(p, "vmap_area_list", p.address("vmap_area_list"), listOffset, Lists.LIMIT);
            all.addAll(w.entries());
            findings.addAll(w.findings());
        }
        List<Area> out = new ArrayList<>();
        for (long a : all) {
            try {
                KernelObject va = KernelObject.at(p, "vmap_area", a);
                long vm = va.struct().member("vm").isPresent() ? va.read("vm") : 0;
                if (vm != 0) {
                    out.add(new Area(a, vm, va.read("va_start"), va.read("va_end")));
                }
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("vmap_area " + Long.toHexString(a), f));
            }
        }
        out.sort(Comparator.comparing(Area::start, Long::compareUnsigned));
        return new Areas(out, findings);
    }

    /** A huge page pool ({@code struct hstate}, mm/hugetlb.c): page size, free and total pages, its sysfs name. */
    public record HugePages(@Hex long hstate, long pageSize, long free, long total, String name) {}

    /** {@return the huge page pools: {@code hstates[0 .. hugetlb_max_hstate)}} */
    public static List<HugePages> hugePages(Program p) throws MemoryFault, UnknownSymbolException {
        int n = (int) p.kernel().u32(p.address("hugetlb_max_hstate"));
        long size = KernelObject.at(p, "hstate", 0).struct().size();
        List<HugePages> out = new ArrayList<>();
        for (int i = 0; i < Math.min(n, 64); i++) {
            KernelObject h = KernelObject.at(p, "hstate", p.address("hstates") + i * size);
            out.add(new HugePages(h.address(), 4096L << h.read("order"), h.read("free_huge_pages"), h.read("nr_huge_pages"), h.string("name")));
        }
        return out;
    }
}
