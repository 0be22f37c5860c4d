package dev.kdive.kernel;

import dev.kdive.value.Hex;
import dev.kdive.finding.Finding;
import dev.kdive.value.Hex;
import dev.kdive.dump.MemoryFault;
import dev.kdive.value.Hex;
import dev.kdive.program.KernelObject;
import dev.kdive.value.Hex;
import dev.kdive.program.Program;
import dev.kdive.value.Hex;
import dev.kdive.types.Type;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import dev.kdive.value.Hex;
import dev.kdive.value.Hex;
import java.util.List;
import dev.kdive.value.Hex;

/**
 * A process's virtual memory areas (crash's {@code vm}): from 6.1 the maple tree {@code mm->mm_mt}
 * (lib/maple_tree.c: encoded node pointers, node type in bits 3..6, 256-byte aligned nodes;
 * range_64/leaf_64 nodes with 15 pivots and 16 slots, arange_64 with 9 and 10; a slot covers
 * (previous pivot, its pivot]), before 6.1 the {@code mm->mmap} list. Node geometry is read from
 * the dump's types; a VMA that does not point back at this mm is reported, not listed.
 */
public final class MemoryMap {
    private static final int LEAF_64 = 1;
    private static final int RANGE_64 = 2;
    private static final int ARANGE_64 = 3;
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
            long root = mm.read("mm_mt.ma_root");
            // The root is a node when xa_is_node() says so (low bits 10, MAPLE_ROOT_NODE); else a single entry.
            if ((root & 3) == 2 && Long.compareUnsigned(root, 4096) > 0) {
                new Walker(p, areas, problems).walk(root & ~2L, 0, -1L, 0);
            } else if (root != 0) {
                areas.add(root);
            }
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

    /** Depth-first over the maple tree's nodes, slot ranges bounded by the parent's. */
    private static final class Walker {
        private final Program p;
        private final List<Long> out;
        private final List<Finding> problems;
        private int nodes;

        Walker(Program p, List<Long> out, List<Finding> problems) {
            this.p = p;
            this.out = out;
            this.problems = problems;
        }

        /** @param entry an encoded node (struct maple_enode *): node address | type << 3 | flags */
        void walk(long entry, long min, long max, int depth) throws MemoryFault {
            if (depth > 32 || ++nodes > MAX_NODES) {
                problems.add(new dev.kdive.finding.Inconsistent("maple tree mm_mt", null, "at most 32 levels and " + MAX_NODES + " nodes",
                        "more: a loop?", List.of()));
                return;
            }
            long node = entry & ~0xffL;
            int type = (int) ((entry >>> 3) & 0xf);
            String struct = switch (type) {
                case LEAF_64, RANGE_64 -> "maple_range_64";
                case ARANGE_64 -> "maple_arange_64";
                default -> null;
            };
            if (struct == null) {
                problems.add(new dev.kdive.finding.Inconsistent("maple node " + Long.toHexString(node), node, "a range node (type "
                        + LEAF_64 + ", " + RANGE_64 + " or " + ARANGE_64 + ")", "type " + type, List.of()));
                return;
            }
            KernelObject n = KernelObject.at(p, struct, node);
            Type.Member pivots = n.member("pivot");
            Type.Member slots = n.member("slot");
            int pivotCount = (int) ((Type.Array) pivots.type().get().resolved()).length();
            int slotCount = (int) ((Type.Array) slots.type().get().resolved()).length();
            long lo = min;
            for (int i = 0; i < slotCount; i++) {
                long hi = i < pivotCount ? p.kernel().u64(node + pivots.offset() + i * 8L) : max;
                if (i > 0 && i < pivotCount && hi == 0) {
                    break; // unused pivots are zero
                }
                if (Long.compareUnsigned(hi, max) > 0) {
                    hi = max;
                }
                long slot = p.kernel().u64(node + slots.offset() + i * 8L);
                if (slot != 0) {
                    if (type == LEAF_64) {
                        out.add(slot);
                    } else {
                        walk(slot, lo, hi, depth + 1);
                    }
                }
                if (Long.compareUnsigned(hi, max) >= 0) {
                    break;
                }
                lo = hi + 1;
            }
        }
    }
}
