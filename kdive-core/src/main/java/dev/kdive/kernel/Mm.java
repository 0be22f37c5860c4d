package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.MissingLayoutException;
import dev.kdive.types.Type;

/**
 * A process's memory as {@code ps} counts it: {@code get_mm_rss()} and {@code total_vm}
 * (include/linux/mm.h), each layout of {@code rss_stat} told apart by the dump's types.
 */
public final class Mm {
    /**
     * The counters of resident pages, in the order of include/linux/mm_types_task.h's anonymous
     * enum: MM_FILEPAGES 0, MM_ANONPAGES 1, MM_SWAPENTS 2 (not resident), MM_SHMEMPAGES 3. BTF
     * keeps no name for that enum, so the indices are the kernel's, unchanged since 4.5.
     */
    private static final int[] RESIDENT = {0, 1, 3};

    private Mm() {
    }

    /**
     * {@code get_mm_rss(mm)}: resident pages of file, anonymous and shmem memory. Until 6.1
     * {@code mm->rss_stat} is a struct of {@code atomic_long_t count[]}; since 6.2 an array of
     * {@code percpu_counter}, whose {@code count} is read without the per-CPU deltas, as crash does.
     */
    public static long getMmRss(Program p, long mm) throws MemoryFault {
        KernelObject m = KernelObject.at(p, "mm_struct", mm);
        Type.Member member = m.member("rss_stat");
        long base = mm + member.offset();
        long stride = 8;
        long field = 0;
        if (member.type().get().resolved() instanceof Type.Array a && a.element().get().resolved() instanceof Type.Struct counter) {
            stride = counter.size();
            field = counter.member("count").orElseThrow(() -> new MissingLayoutException("struct percpu_counter has no member count"))
                    .offset();
        }
        long sum = 0;
        for (int i : RESIDENT) {
            sum += Math.max(0, p.kernel().u64(base + i * stride + field));
        }
        return sum;
    }

    /**
     * {@return the resident pages a thread counted but had not yet folded into its mm; 0 on
     * kernels without} SPLIT_RSS_COUNTING (until 6.1): each thread keeps deltas in
     * {@code task->rss_stat}, an {@code int count[]}, and adds them to the mm every 64 page faults.
     */
    public static long taskRssDelta(Program p, Task t) throws MemoryFault {
        KernelObject task = KernelObject.at(p, "task_struct", t.address());
        if (t.mm() == 0 || task.struct().member("rss_stat").isEmpty()) {
            return 0;
        }
        long counts = task.addressOf("rss_stat.count");
        long sum = 0;
        for (int i : RESIDENT) {
            sum += (int) p.kernel().u32(counts + i * 4L);
        }
        return sum;
    }

    /** {@return the pages mapped into the process: {@code mm->total_vm}} */
    public static long totalVm(Program p, long mm) throws MemoryFault {
        return KernelObject.at(p, "mm_struct", mm).read("total_vm");
    }

    /** {@return the pages the kernel manages: {@code _totalram_pages} (mm/page_alloc.c); 0 when unreadable} */
    public static long totalRamPages(Program p) {
        try {
            return p.kernel().u64(p.address("_totalram_pages"));
        } catch (MemoryFault | UnknownSymbolException e) {
            return 0;
        }
    }
}
