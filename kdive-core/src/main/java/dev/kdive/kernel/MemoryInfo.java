package dev.kdive.kernel;

import dev.kdive.finding.Finding;
import dev.kdive.types.TypeException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory summary crash's {@code kmem -i} prints, in pages, from the kernel's own counters:
 * {@code _totalram_pages}, the global {@code vm_zone_stat}/{@code vm_node_stat} items (indexes
 * from the dump's enums, mm/vmstat.c), block devices' page caches ({@code nr_blockdev_pages()},
 * block/bdev.c), hugetlb's {@code hstates}, {@code swap_info}, the overcommit limit
 * (mm/util.c {@code vm_commit_limit()}) and {@code vm_committed_as}; shared pages from a walk of
 * every struct page (not reserved, more than one reference), when asked for: {@code shared} is null
 * from {@link #counters}, which reads the counters alone.
 */
public record MemoryInfo(long total, long free, Long shared, long buffers, long cached, long slab, long hugeTotal, long hugeFree,
                         long swapTotal, long swapUsed, long commitLimit, long committed, List<Finding> problems) {

    /** {@return the whole summary, shared pages counted by a walk of every struct page} */
    public static MemoryInfo read(Program p) throws MemoryFault, UnknownSymbolException {
        return read(p, true);
    }

    /** {@return the summary from the kernel's counters alone: no page walk, {@code shared} null} */
    public static MemoryInfo counters(Program p) throws MemoryFault, UnknownSymbolException {
        return read(p, false);
    }

    private static MemoryInfo read(Program p, boolean countShared) throws MemoryFault, UnknownSymbolException {
        List<Finding> problems = new ArrayList<>();
        long total = p.kernel().u64(p.address("_totalram_pages"));
        long free = stat(p, "vm_zone_stat", "zone_stat_item", "NR_FREE_PAGES");
        long buffers = blockdevPages(p, problems);
        long swapcache = optionalStat(p, "vm_node_stat", "node_stat_item", "NR_SWAPCACHE");
        long cached = Math.max(0, stat(p, "vm_node_stat", "node_stat_item", "NR_FILE_PAGES") - swapcache - buffers);
        long slab = optionalStat(p, "vm_node_stat", "node_stat_item", "NR_SLAB_RECLAIMABLE_B")
                + optionalStat(p, "vm_node_stat", "node_stat_item", "NR_SLAB_UNRECLAIMABLE_B");
        long[] huge = hugePages(p, problems);
        long[] swap = swap(p, problems);
        long ratio = p.kernel().u32(p.address("sysctl_overcommit_ratio"));
        long kbytes = p.kernel().u64(p.address("sysctl_overcommit_kbytes"));
        long limit = (kbytes != 0 ? kbytes >> 2 : (total - huge[0]) * ratio / 100) + swap[0];
        long committed = KernelObject.at(p, "percpu_counter", p.address("vm_committed_as")).read("count");
        Long shared = null;
        if (countShared) {
            long[] n = {0};
            PageMap map = PageMap.of(p);
            long reservedBit = pageflag(p, "PG_reserved");
            map.forEach(map.sections(), pg -> {
                if ((pg.flags() & reservedBit) == 0 && pg.count() > 1) {
                    n[0]++;
                }
            }, problems::add);
            shared = n[0];
        }
        return new MemoryInfo(total, free, shared, buffers, cached, slab, huge[0], huge[1], swap[0], swap[1], limit,
                Math.max(0, committed), List.copyOf(problems));
    }

    private static long pageflag(Program p, String name) {
        if (p.types().lookup("enum pageflags").map(Type::resolved).orElse(null) instanceof Type.Enum e) {
            return e.values().stream().filter(v -> v.name().equals(name)).findFirst().map(v -> 1L << v.value()).orElse(0L);
        }
        return 0;
    }

    /** {@return one item of a global vmstat array (atomic_long_t, may read negative: clamped at 0)} */
    private static long stat(Program p, String array, String enumName, String item) throws MemoryFault, UnknownSymbolException {
        Type t = p.types().lookup("enum " + enumName).map(Type::resolved)
                .orElseThrow(() -> new UnknownSymbolException("enum " + enumName + " (no such type)"));
        long index = ((Type.Enum) t).values().stream().filter(v -> v.name().equals(item)).findFirst()
                .orElseThrow(() -> new UnknownSymbolException(item + " (not in enum " + enumName + ")")).value();
        return Math.max(0, p.kernel().u64(p.address(array) + 8 * index));
    }

    private static long optionalStat(Program p, String array, String enumName, String item) throws MemoryFault {
        try {
            return stat(p, array, enumName, item);
        } catch (UnknownSymbolException e) {
            return 0; // an item this kernel does not count
        }
    }

    /** nr_blockdev_pages(): every block device inode on blockdev_superblock, its page cache pages. */
    private static long blockdevPages(Program p, List<Finding> problems) {
        try {
            long sb = p.kernel().u64(p.address("blockdev_superblock"));
            KernelObject superBlock = KernelObject.at(p, "super_block", sb);
            KernelObject inode0 = KernelObject.at(p, "inode", 0);
            Lists.Walk inodes = Lists.listForEachEntry(p, "blockdev_superblock->s_inodes", superBlock.addressOf("s_inodes"),
                    inode0.member("i_sb_list").offset(), Lists.LIMIT);
            problems.addAll(inodes.findings());
            long pages = 0;
            for (long address : inodes.entries()) {
                long mapping = new KernelObject(p, inode0.struct(), address).read("i_mapping");
                if (mapping != 0) {
                    pages += KernelObject.at(p, "address_space", mapping).read("nrpages");
                }
            }
            return pages;
        } catch (MemoryFault | UnknownSymbolException | TypeException e) {
            problems.add(Finding.missing("block device pages", e));
            return 0;
        }
    }

    /** {@return hugetlb pages, total and free, over every hstate, in base pages} */
    private static long[] hugePages(Program p, List<Finding> problems) {
        long[] r = {0, 0};
        try {
            int n = (int) p.kernel().u32(p.address("hugetlb_max_hstate"));
            KernelObject first = KernelObject.at(p, "hstate", p.address("hstates"));
            for (int i = 0; i < n; i++) {
                KernelObject h = new KernelObject(p, first.struct(), first.address() + i * first.struct().size());
                int order = (int) h.read("order");
                r[0] += h.read("nr_huge_pages") << order;
                r[1] += h.read("free_huge_pages") << order;
            }
        } catch (UnknownSymbolException e) {
            // no hugetlbfs in this kernel
        } catch (MemoryFault | TypeException e) {
            problems.add(Finding.missing("hugetlb", e));
        }
        return r;
    }

    /** {@return swap pages, total and in use, over swap_info[] areas that are in use and writable (mm/swapfile.c)} */
    private static long[] swap(Program p, List<Finding> problems) {
        long[] r = {0, 0};
        try {
            int n = (int) p.kernel().u32(p.address("nr_swapfiles"));
            long array = p.address("swap_info");
            for (int i = 0; i < n; i++) {
                long si = p.kernel().u64(array + 8L * i);
                if (si == 0) {
                    continue;
                }
                KernelObject s = KernelObject.at(p, "swap_info_struct", si);
                long flags = s.read("flags");
                if ((flags & 3) == 3) { // SWP_USED | SWP_WRITEOK (include/linux/swap.h)
                    r[0] += s.read("pages");
                    r[1] += s.read("inuse_pages");
                }
            }
        } catch (UnknownSymbolException e) {
            // no swap support
        } catch (MemoryFault | TypeException e) {
            problems.add(Finding.missing("swap", e));
        }
        return r;
    }

    /** {@return a page count as crash prints it: "457.2 MB", "768 KB", "3 MB" (tools.c pages_to_size)} */
    public static String size(long pages) {
        if (pages == 0) {
            return "0";
        }
        double bytes = pages * 4096.0;
        String s;
        if (bytes >= 1L << 30) {
            s = oneDecimal(bytes / (1L << 30)) + " GB";
        } else if (bytes >= 1L << 20) {
            s = oneDecimal(bytes / (1L << 20)) + " MB";
        } else {
            s = (long) (bytes / 1024) + " KB";
        }
        return s.replace(".0 ", " ");
    }

    /**
     * C's printf("%.1f"): the exact binary value, ties to even (2.25 MB is "2.2"), unlike Java's
     * HALF_UP. The values are pages / 2^8 or 2^18, so v * 10 is exact and rint() rounds it as C does.
     */
    private static String oneDecimal(double v) {
        long tenths = (long) Math.rint(v * 10);
        return tenths / 10 + "." + tenths % 10;
    }
}
