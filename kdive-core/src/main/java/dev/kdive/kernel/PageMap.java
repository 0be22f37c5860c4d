package dev.kdive.kernel;

import dev.kdive.finding.Finding;
import dev.kdive.types.TypeException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.types.Type;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The kernel's {@code struct page} array under SPARSEMEM_VMEMMAP: which memory sections exist
 * (VMCOREINFO's {@code mem_section}, {@code SECTION_SIZE_BITS}; include/linux/mmzone.h) and the
 * page struct of every frame in them, read a vmemmap page at a time. Flag names, and their
 * order, are the kernel's own: its {@code pageflag_names[]} table (mm/debug.c, the order of
 * include/trace/events/mmflags.h that {@code %pGp} and crash print), else the dump's
 * {@code enum pageflags} in bit order.
 */
public final class PageMap {
    /** mm/sparse.c: a section's section_mem_map low bits. */
    private static final long SECTION_MARKED_PRESENT = 1;
    private static final long SECTION_HAS_MEM_MAP = 1 << 1;
    /**
     * The low bits of section_mem_map that hold flags (the anonymous enum of mmzone.h, whose
     * SECTION_MAP_LAST_BIT has been 4 to 6 and is in no type): the coded mem_map is at least
     * 64-byte aligned (vmemmap pages, whole struct pages), so these bits are never the pointer's.
     */
    private static final long SECTION_FLAG_BITS = (1 << 6) - 1;

    private final Program p;
    private final int pageStruct;
    private final int flagsOffset;
    private final int mappingOffset;
    private final int indexOffset;
    private final int refcountOffset;
    private final int sectionShift;
    /** Each flag's mask and name, in the order they are printed. */
    private final List<Flag> flags;

    private record Flag(long mask, String name) {}
    private List<Section> sections;

    /** One page frame's struct page, the fields crash's {@code kmem -p} shows. */
    public record Page(long address, long physical, long flags, long mapping, long index, int count) {}

    /** A run of page frames that has a mem map: {@code [startPfn, endPfn)}. */
    public record Section(long startPfn, long endPfn) {}

    /** {@return the program's page map, made once} */
    public static PageMap of(Program p) {
        return p.cached(PageMap.class, () -> new PageMap(p));
    }

    public PageMap(Program p) {
        this.p = p;
        Map<String, String> info = p.vmcoreinfo();
        KernelObject page = KernelObject.at(p, "page", 0);
        this.pageStruct = (int) page.type().size();
        this.flagsOffset = (int) page.member("flags").offset();
        this.mappingOffset = (int) page.member("mapping").offset();
        this.indexOffset = (int) page.member("index").offset();
        this.refcountOffset = (int) page.member("_refcount").offset();
        this.sectionShift = Integer.parseInt(info.getOrDefault("NUMBER(SECTION_SIZE_BITS)", "27")) - 12;
        this.flags = pageflagNames(p).orElseGet(() -> enumPageflags(p));
    }

    /** The kernel's pageflag_names[]: struct trace_print_flags {mask, name}, ended by a NULL name. */
    private static java.util.Optional<List<Flag>> pageflagNames(Program p) {
        try {
            long table = p.address("pageflag_names");
            KernelObject entry = KernelObject.at(p, "trace_print_flags", 0);
            long size = entry.type().size();
            List<Flag> out = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                KernelObject e = new KernelObject(p, entry.struct(), table + i * size);
                long name = e.read("name");
                if (name == 0) {
                    return out.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(List.copyOf(out));
                }
                out.add(new Flag(e.read("mask"), p.kernel().cstring(name, 64)));
            }
            return java.util.Optional.empty(); // no terminator: not the table it should be
        } catch (MemoryFault | dev.kdive.program.UnknownSymbolException | TypeException e) {
            return java.util.Optional.empty(); // no such symbol or type (CONFIG_KALLSYMS_ALL off): the enum
        }
    }

    /** enum pageflags below __NR_PAGEFLAGS in bit order; several names share a bit (PG_checked = PG_owner_priv_1): the first declared names it. */
    private static List<Flag> enumPageflags(Program p) {
        Map<Long, String> names = new TreeMap<>();
        long nr = 0;
        if (p.types().lookup("enum pageflags").map(Type::resolved).orElse(null) instanceof Type.Enum e) {
            for (Type.Enumerator v : e.values()) {
                if (v.name().equals("__NR_PAGEFLAGS")) {
                    nr = v.value();
                }
                names.putIfAbsent(v.value(), v.name().replaceFirst("^PG_", ""));
            }
        }
        List<Flag> out = new ArrayList<>();
        for (var e : names.entrySet()) {
            if (e.getKey() >= 0 && e.getKey() < nr) {
                out.add(new Flag(1L << e.getKey(), e.getValue()));
            }
        }
        return List.copyOf(out);
    }

    /** {@return the sections with a mem map, from VMCOREINFO's mem_section roots; read once} */
    public synchronized List<Section> sections() throws MemoryFault {
        if (sections == null) {
            sections = readSections();
        }
        return sections;
    }

    /**
     * One present {@code struct mem_section}: its number, address and raw {@code section_mem_map}
     * word (the coded mem_map with the section flags in its low bits, include/linux/mmzone.h).
     */
    public record MemSection(long nr, long address, long mapWord) {
        /** {@return the coded mem_map: the word less its flag bits (SECTION_MAP_MASK)} */
        public long coded() {
            return mapWord & ~SECTION_FLAG_BITS;
        }

        /** {@return the mem_map the coded one stands for: coded + the section's first pfn, in struct pages (sparse_decode_mem_map)} */
        public long memMap(int pfnShift, int pageStruct) {
            return coded() + (nr << pfnShift) * pageStruct;
        }

        /** {@return whether a flag bit of section_mem_map is set: SECTION_MARKED_PRESENT_BIT 0, HAS_MEM_MAP 1, IS_ONLINE 2, IS_EARLY 3, TAINT_ZONE_DEVICE 4} */
        public boolean flag(int bit) {
            return (mapWord & (1L << bit)) != 0;
        }

        /** {@return the section's first page frame} */
        public long startPfn(int pfnShift) {
            return nr << pfnShift;
        }
    }

    /** {@return log2 of the page frames per section (SECTION_SIZE_BITS - PAGE_SHIFT)} */
    public int sectionShift() {
        return sectionShift;
    }

    /** {@return the size of a struct page in this kernel} */
    public int pageStructSize() {
        return pageStruct;
    }

    /**
     * {@return every present mem_section (SECTION_MARKED_PRESENT), in section order: with
     * SPARSEMEM_EXTREME, VMCOREINFO's mem_section is the array of root pointers, each root a page
     * of sections (SECTIONS_PER_ROOT, mm/sparse.c)}
     */
    public List<MemSection> memSections() throws MemoryFault {
        Map<String, String> info = p.vmcoreinfo();
        String root = info.get("SYMBOL(mem_section)");
        if (root == null) {
            throw new MemoryFault(MemoryFault.Space.KERNEL, 0, "VMCOREINFO has no SYMBOL(mem_section): not a SPARSEMEM kernel");
        }
        long roots = Long.parseUnsignedLong(root, 16);
        int nrRoots = Integer.parseInt(info.getOrDefault("LENGTH(mem_section)", "1"));
        int size = Integer.parseInt(info.getOrDefault("SIZE(mem_section)", "16"));
        int mapOffset = Integer.parseInt(info.getOrDefault("OFFSET(mem_section.section_mem_map)", "0"));
        int perRoot = 4096 / size; // SECTIONS_PER_ROOT with SPARSEMEM_EXTREME
        List<MemSection> out = new ArrayList<>();
        // The root pointers in one read: 4096 of them on x86-64, most of them NULL.
        ByteBuffer rootPointers = ByteBuffer.wrap(p.kernel().read(roots, 8 * nrRoots)).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < nrRoots; r++) {
            long base = rootPointers.getLong(8 * r);
            if (base == 0) {
                continue;
            }
            ByteBuffer bb = ByteBuffer.wrap(p.kernel().read(base, perRoot * size)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < perRoot; i++) {
                long map = bb.getLong(i * size + mapOffset);
                if ((map & SECTION_MARKED_PRESENT) != 0) {
                    out.add(new MemSection((long) r * perRoot + i, base + (long) i * size, map));
                }
            }
        }
        return List.copyOf(out);
    }

    private List<Section> readSections() throws MemoryFault {
        long pagesPerSection = 1L << sectionShift;
        List<Section> sections = new ArrayList<>();
        for (MemSection m : memSections()) {
            if ((m.mapWord() & SECTION_HAS_MEM_MAP) != 0) {
                long start = m.nr() * pagesPerSection;
                if (!sections.isEmpty() && sections.getLast().endPfn() == start) {
                    sections.set(sections.size() - 1, new Section(sections.getLast().startPfn(), start + pagesPerSection));
                } else {
                    sections.add(new Section(start, start + pagesPerSection));
                }
            }
        }
        return List.copyOf(sections);
    }

    /** {@return whether a page frame lies in a section with a mem map (the kernel's pfn_valid())} */
    public boolean valid(long pfn) throws MemoryFault {
        for (Section s : sections()) {
            if (pfn >= s.startPfn() && pfn < s.endPfn()) {
                return true;
            }
        }
        return false;
    }

    /** {@return the struct page of a page frame} */
    public long pageOf(long pfn) {
        return p.layout().vmemmapBase() + pfn * pageStruct;
    }

    /** {@return the page frame a struct page address describes, or -1 when it is not in the vmemmap} */
    public long pfnOf(long page) {
        long off = page - p.layout().vmemmapBase();
        return off < 0 || off % pageStruct != 0 ? -1 : off / pageStruct;
    }

    /** {@return one page's struct page} */
    public Page page(long pfn) throws MemoryFault {
        return decode(pfn, ByteBuffer.wrap(p.kernel().read(pageOf(pfn), pageStruct)).order(ByteOrder.LITTLE_ENDIAN), 0);
    }

    /**
     * Hands every page of the sections to {@code each}, in pfn order, reading the vmemmap a page at a
     * time; a vmemmap page the dump lacks is reported to {@code problems} and skipped.
     */
    public void forEach(List<Section> sections, Consumer<Page> each, Consumer<Finding> problems) {
        int perChunk = 4096 / pageStruct;
        for (Section s : sections) {
            for (long pfn = s.startPfn(); pfn < s.endPfn(); pfn += perChunk) {
                int n = (int) Math.min(perChunk, s.endPfn() - pfn);
                ByteBuffer b;
                try {
                    b = ByteBuffer.wrap(p.kernel().read(pageOf(pfn), n * pageStruct)).order(ByteOrder.LITTLE_ENDIAN);
                } catch (MemoryFault f) {
                    problems.accept(dev.kdive.finding.UnreadableMemory.of("struct page of pfn " + Long.toHexString(pfn) + ".." + Long.toHexString(pfn + n - 1), f));
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    each.accept(decode(pfn + i, b, i * pageStruct));
                }
            }
        }
    }

    private Page decode(long pfn, ByteBuffer b, int at) {
        return new Page(pageOf(pfn), pfn << 12, b.getLong(at + flagsOffset), b.getLong(at + mappingOffset), b.getLong(at + indexOffset),
                b.getInt(at + refcountOffset));
    }

    /** {@return the names of the flag bits set below __NR_PAGEFLAGS, comma-separated, as crash prints them} */
    public String flagNames(long flags) {
        StringBuilder s = new StringBuilder();
        for (Flag f : this.flags) {
            if ((flags & f.mask()) != 0) {
                s.append(s.isEmpty() ? "" : ",").append(f.name());
            }
        }
        return s.toString();
    }
}
