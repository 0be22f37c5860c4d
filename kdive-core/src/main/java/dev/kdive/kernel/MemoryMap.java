package dev.kdive.kernel;

import dev.kdive.value.Hex;
import dev.kdive.finding.Finding;
import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import java.util.ArrayList;
import java.util.List;

/**
 * A process's virtual memory areas (crash's {@code vm}): from 6.1 the maple tree {@code mm->mm_mt}
 * ({@link Trees#mapleTree}), before 6.1 the {@code mm->mmap} list. Node geometry is read from
 * the dump's types; a VMA that does not point back at this mm is reported, not listed.
 */
public final class MemoryMap {
    private static final int MAX_NODES = 1 << 20;

    /** One area; {@code path} of its file, empty for anonymous memory. */
    public record Vma(@Hex long address, @Hex long start, @Hex long end, @Hex long flags, @Hex long file, String path) {}

    public record Map(@Hex long mm, @Hex long pgd, List<Vma> vmas, List<Finding> problems) {}

    private MemoryMap() {
    }

    public static Map of(Program p, Task t) throws MemoryFault {
        long mmAddr = t.mm();
        List<Vma> vmas = new ArrayList<>();
        List<Finding> problems = new ArrayList<>();
        if (mmAddr == 0) {
            return new Map(0, 0, vmas, List.of(new dev.kdive.finding.Unavailable("pid " + t.pid() + " user memory", "a kernel thread has none")));
        }
        KernelObject mm = KernelObject.at(p, "mm_struct", mmAddr);
        List<Long> areas = new ArrayList<>();
        if (mm.struct().member("mm_mt").isPresent()) {
            Trees.Walk<Trees.Slot> tree = Trees.mapleTree(p, "mm_struct " + Long.toHexString(mmAddr) + " mm_mt", mm.read("mm_mt.ma_root"));
            tree.nodes().forEach(s -> areas.add(s.entry()));
            problems.addAll(tree.findings());
        } else { // before 6.1: a sorted list through vm_next
            long nextOffset = KernelObject.at(p, "vm_area_struct", 0).member("vm_next").offset();
            Lists.Walk walk = Lists.singlyLinked(p.kernel(), "mm_struct " + Long.toHexString(mmAddr) + " mmap", mm.read("mmap"), nextOffset,
                    MAX_NODES);
            areas.addAll(walk.entries());
            problems.addAll(walk.findings());
        }
        for (long a : areas) {
            try {
                KernelObject v = KernelObject.at(p, "vm_area_struct", a);
                if (v.read("vm_mm") != mmAddr) {
                    problems.add(new dev.kdive.finding.Inconsistent("vm_area_struct " + Long.toHexString(a), a, "vm_mm " + Long.toHexString(mmAddr),
                            "vm_mm " + Long.toHexString(v.read("vm_mm")), List.of()));
                    continue;
                }
                long file = v.read("vm_file");
                String path = file == 0 ? "" : OpenFiles.path(p, KernelObject.at(p, "file", file).read("f_path.mnt"),
                        KernelObject.at(p, "file", file).read("f_path.dentry"));
                vmas.add(new Vma(a, v.read("vm_start"), v.read("vm_end"), v.read("vm_flags"), file, path));
            } catch (MemoryFault f) {
                problems.add(dev.kdive.finding.UnreadableMemory.of("vm_area_struct " + Long.toHexString(a), f));
            }
        }
        vmas.sort((x, y) -> Long.compareUnsigned(x.start(), y.start()));
        return new Map(mmAddr, mm.read("pgd"), vmas, problems);
    }
}
