package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * Swap areas in use (mm/swapfile.c): {@code swap_info[0 .. nr_swapfiles)}, each a
 * {@code swap_info_struct} with SWP_USED in its flags, its size and use in pages, priority and file,
 * as crash's {@code swap} lists them.
 */
public final class Swap {
    /** include/linux/swap.h */
    private static final long SWP_USED = 1;
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private Swap() {
    }

    public record Area(@Hex long address, boolean partition, long pages, long usedPages, int priority, String file) {}

    public record Areas(List<Area> areas, List<Finding> findings) {}

    public static Areas of(Program p) throws MemoryFault, UnknownSymbolException {
        int n = (int) p.kernel().u32(p.address("nr_swapfiles"));
        List<Area> out = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        long array = p.address("swap_info");
        for (int i = 0; i < Math.min(n, 64); i++) { // MAX_SWAPFILES is below 32
            long si = p.kernel().u64(array + 8L * i);
            if (si == 0) {
                continue;
            }
            try {
                KernelObject s = KernelObject.at(p, "swap_info_struct", si);
                if ((s.read("flags") & SWP_USED) == 0) {
                    continue;
                }
                long file = s.read("swap_file");
                String path = "(unknown)";
                boolean partition = false;
                if (file != 0) {
                    KernelObject f = KernelObject.at(p, "file", file);
                    path = OpenFiles.path(p, f.read("f_path.mnt"), f.read("f_path.dentry"));
                    long inode = f.read("f_inode");
                    partition = inode != 0 && (KernelObject.at(p, "inode", inode).read("i_mode") & S_IFMT) == S_IFBLK;
                }
                out.add(new Area(si, partition, s.read("pages"), s.read("inuse_pages"), (int) s.read("prio"), path));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("swap_info[" + i + "] " + Long.toHexString(si), f));
            }
        }
        return new Areas(out, findings);
    }
}
