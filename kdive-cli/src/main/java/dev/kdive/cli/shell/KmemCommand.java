package dev.kdive.cli.shell;

import dev.kdive.types.TypeException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.MemoryInfo;
import dev.kdive.kernel.PageMap;
import dev.kdive.kernel.Slab;
import dev.kdive.kernel.SlabCache;
import dev.kdive.finding.Finding;
import dev.kdive.finding.SlabDamage;
import dev.kdive.kernel.Slub;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code kmem}: the SLUB allocator as crash shows it ({@code -s} counts per cache, {@code -S}
 * slabs and objects, {@code ADDR} where an address lies) plus kdive's {@code -V}: every freelist
 * and slab list of every cache checked, each problem with its evidence; and the page allocator's
 * nodes and zones ({@code -z}, {@code -f}, {@code -F}, {@code -n}, see {@link KmemZones}).
 */
final class KmemCommand implements ShellCommand {
    private static final String HEADER = "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME";
    private Program program;
    private Slub slub;

    @Override
    public String name() {
        return "kmem";
    }

    @Override
    public String synopsis() {
        return "kmem -s|-S|-V [CACHE] | -p [ADDR] | -i | -o | -v | -h | -z | -f | -F | -n | ADDR   slab caches: counts, slabs and objects,"
                + " validation (-V, kdive's); page structs; memory summary; per-cpu offsets; vmalloc areas; huge page pools; zone statistics;"
                + " free areas (-F with each free block); memory nodes and sections; where ADDR lies";
    }

    @Override
    public String example() {
        return "kmem -S kmalloc-192      every slab of kmalloc-192 and the objects in it";
    }

    private Slub slub(Program p) throws UsageException {
        if (slub == null || program != p) {
            try {
                slub = new Slub(p);
                program = p;
            } catch (MemoryFault | UnknownSymbolException e) {
                throw new UsageException("kmem: the slab allocator cannot be read: " + e.getMessage());
            } catch (TypeException e) {
                throw new UsageException("kmem: " + e.getMessage());
            }
        }
        return slub;
    }

    /** kmem -v: vmalloc areas in use, crash's layout. */
    record VmallocAreas(dev.kdive.kernel.Vmalloc.Areas areas) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println(Text.centre("VMAP_AREA", 16, false) + "  " + Text.centre("VM_STRUCT", 16, false) + "  "
                    + Text.centre("ADDRESS RANGE", 35, false) + "     SIZE");
            for (var v : areas.areas()) {
                out.printf("%16x  %16x  %16x - %16x  %7d%n", v.vmapArea(), v.vmStruct(), v.start(), v.end(), v.end() - v.start());
            }
            areas.findings().forEach(f -> out.println("kmem: " + f.summary()));
        }

        @Override
        public Object json() {
            return areas;
        }
    }

    /** kmem -h: huge page pools, crash's layout. */
    record HugePools(List<dev.kdive.kernel.Vmalloc.HugePages> pools) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("     HSTATE        SIZE    FREE   TOTAL  NAME");
            for (var h : pools) {
                String size = h.pageSize() >= 1L << 30 ? (h.pageSize() >> 30) + "GB" : h.pageSize() >= 1L << 20 ? (h.pageSize() >> 20) + "MB"
                        : (h.pageSize() >> 10) + "KB";
                out.printf("%16x  %5s  %6d  %6d  %s%n", h.hstate(), size, h.free(), h.total(), h.name());
            }
        }

        @Override
        public Object json() {
            return pools;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        Args a = new Args("kmem", args, Set.of("-s", "-S", "-V", "-p", "-i", "-o", "-v", "-h", "-z", "-f", "-F", "-n"),
                Set.of());
        if (a.has("-z") || a.has("-f") || a.has("-F") || a.has("-n")) {
            if (!a.operands().isEmpty()) {
                throw new UsageException("kmem: -f/-F ADDR (the free block holding an address) is not supported; -z, -f, -F and -n take no operand");
            }
            try {
                dev.kdive.kernel.Zones.Nodes nodes = dev.kdive.kernel.Zones.of(p);
                if (a.has("-z")) {
                    return new KmemZones.ZoneStats(nodes);
                }
                if (a.has("-n")) {
                    return KmemZones.NodeMap.of(p, nodes);
                }
                return KmemZones.FreeAreas.of(p, nodes, a.has("-F"));
            } catch (TypeException e) { // no pglist_data, zone or free_area in the types
                throw new UsageException("kmem: " + e.getMessage());
            }
        }
        try {
            if (a.has("-o")) { // crash's per-cpu offsets: __per_cpu_offset[]
                List<String> lines = new ArrayList<>(List.of("PER-CPU OFFSET VALUES:"));
                long[] offsets = p.perCpuOffsets();
                for (int cpu = 0; cpu < offsets.length; cpu++) {
                    lines.add(String.format("  CPU %d: %x", cpu, offsets[cpu]));
                }
                return new Text(lines);
            }
            if (a.has("-v")) {
                return new VmallocAreas(dev.kdive.kernel.Vmalloc.of(p));
            }
            if (a.has("-h")) {
                return new HugePools(dev.kdive.kernel.Vmalloc.hugePages(p));
            }
        } catch (MemoryFault | dev.kdive.program.UnknownSymbolException e) {
            return Text.of("kmem: " + e.getMessage());
        }
        if (a.has("-p")) {
            return pages(p, a);
        }
        if (a.has("-i")) {
            return info(p);
        }
        Slub s = slub(p);
        Slub.Caches caches = s.caches();
        if (a.has("-s") || a.has("-S") || a.has("-V")) {
            List<SlabCache> chosen = new ArrayList<>();
            for (String name : a.operands()) {
                chosen.add(caches.named(name).or(() -> byAddress(p, caches, name))
                        .orElseThrow(() -> new UsageException("kmem: no slab cache named " + name)));
            }
            if (chosen.isEmpty()) {
                chosen = caches.caches();
            }
            List<Slub.CacheState> states = chosen.stream().map(s::state).toList();
            if (a.has("-V")) {
                return new Validation(states, caches.problems());
            }
            if (a.has("-S")) {
                Map<Long, Integer> nodes = new java.util.HashMap<>();
                for (Slub.CacheState st : states) {
                    for (Slab slab : st.slabs()) {
                        nodes.computeIfAbsent(slab.address(), x -> s.node(slab));
                    }
                }
                return new Detail(states, nodes);
            }
            return new Counts(states, caches.problems());
        }
        if (a.operands().size() != 1) {
            throw new UsageException("kmem: give -s, -S or -V [CACHE], or one address");
        }
        long addr = Args.address(p, "kmem", a.operands().getFirst());
        try {
            PageMap map = PageMap.of(p);
            Optional<PageMap.Page> page = pageFor(p, map, addr);
            // A struct page names its slab, as crash shows it: the slab of the memory it describes.
            boolean pageStruct = map.pfnOf(addr) >= 0 && page.isPresent();
            long in = pageStruct ? p.layout().directMap(page.get().physical()) : addr;
            Optional<Slub.Location> location = s.locate(in);
            return new Where(addr, location, location.map(l -> s.node(l.slab())).orElse(0),
                    location.map(l -> s.debug().tracks(l.cache(), l.object())).orElse(List.of()), page,
                    page.map(pg -> pageRow(map, pg)).orElse(null), pageStruct);
        } catch (MemoryFault f) {
            throw new UsageException("kmem: " + f.getMessage());
        }
    }

    private static final String PAGE_HEADER = "      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS";

    private static String pageRow(PageMap map, PageMap.Page pg) {
        String names = map.flagNames(pg.flags());
        return String.format("%016x %8x %16x %8x %2d %x%s", pg.address(), pg.physical(), pg.mapping(), pg.index(), pg.count(), pg.flags(),
                names.isEmpty() ? "" : " " + names);
    }

    /** The page an address names: a struct page in the vmemmap, a mapped kernel address, else a physical one. */
    private static Optional<PageMap.Page> pageFor(Program p, PageMap map, long addr) throws MemoryFault {
        long pfn = map.pfnOf(addr);
        if (pfn < 0) {
            if (addr < 0 && p.kernel().translate(addr) instanceof dev.kdive.arch.Translation.Mapped m) {
                pfn = m.physical() >>> 12;
            } else if (addr >= 0) {
                pfn = addr >>> 12;
            } else {
                return Optional.empty();
            }
        }
        final long frame = pfn;
        if (map.sections().stream().noneMatch(sec -> frame >= sec.startPfn() && frame < sec.endPfn())) {
            return Optional.empty();
        }
        return Optional.of(map.page(pfn));
    }

    /** {@code kmem -i}: crash's memory summary. */
    private static Output info(Program p) throws UsageException {
        MemoryInfo m;
        try {
            m = MemoryInfo.read(p);
        } catch (MemoryFault | UnknownSymbolException | TypeException e) {
            throw new UsageException("kmem: -i: " + e.getMessage());
        }
        return new Output() {
            @Override
            public void text(PrintWriter out) {
                out.println("                 PAGES        TOTAL      PERCENTAGE");
                out.printf("%13s  %7d  %11s         ----%n", "TOTAL MEM", m.total(), MemoryInfo.size(m.total()));
                row(out, "FREE", m.free(), m.total(), "TOTAL MEM");
                row(out, "USED", m.total() - m.free(), m.total(), "TOTAL MEM");
                row(out, "SHARED", m.shared(), m.total(), "TOTAL MEM");
                row(out, "BUFFERS", m.buffers(), m.total(), "TOTAL MEM");
                row(out, "CACHED", m.cached(), m.total(), "TOTAL MEM");
                row(out, "SLAB", m.slab(), m.total(), "TOTAL MEM");
                out.printf("%n%13s  %7d  %11s         ----%n", "TOTAL HUGE", m.hugeTotal(), MemoryInfo.size(m.hugeTotal()));
                row(out, "HUGE FREE", m.hugeFree(), m.hugeTotal(), "TOTAL HUGE");
                out.printf("%n%13s  %7d  %11s         ----%n", "TOTAL SWAP", m.swapTotal(), MemoryInfo.size(m.swapTotal()));
                row(out, "SWAP USED", m.swapUsed(), m.swapTotal(), "TOTAL SWAP");
                row(out, "SWAP FREE", m.swapTotal() - m.swapUsed(), m.swapTotal(), "TOTAL SWAP");
                out.printf("%n%13s  %7d  %11s         ----%n", "COMMIT LIMIT", m.commitLimit(), MemoryInfo.size(m.commitLimit()));
                row(out, "COMMITTED", m.committed(), m.commitLimit(), "TOTAL LIMIT");
                m.problems().forEach(x -> out.println("kmem: " + x.summary()));
            }

            private static void row(PrintWriter out, String name, long pages, long of, String whole) {
                out.printf("%13s  %7d  %11s  %3d%% of %s%n", name, pages, MemoryInfo.size(pages), of == 0 ? 0 : pages * 100 / of, whole);
            }

            @Override
            public Object json() {
                return m; // MemoryInfo, in pages
            }
        };
    }

    /** {@code kmem -p [ADDR]}: crash's page-struct listing, of every page or of the one ADDR names. */
    private static Output pages(Program p, Args a) throws UsageException {
        PageMap map;
        try {
            map = PageMap.of(p);
        } catch (TypeException e) {
            throw new UsageException("kmem: -p: " + e.getMessage());
        }
        List<String> lines = new ArrayList<>();
        List<PageMap.Page> pages = new ArrayList<>();
        List<Finding> problems = new ArrayList<>();
        lines.add(PAGE_HEADER);
        try {
            if (a.operands().isEmpty()) {
                map.forEach(map.sections(), pg -> {
                    pages.add(pg);
                    lines.add(pageRow(map, pg));
                }, problem -> {
                    problems.add(problem);
                    lines.add("kmem: " + problem.summary());
                });
            } else {
                for (String o : a.operands()) {
                    Optional<PageMap.Page> pg = pageFor(p, map, Args.address(p, "kmem", o));
                    if (pg.isEmpty()) {
                        problems.add(new dev.kdive.finding.Unavailable("struct page of " + o, "no page of a memory section"));
                        lines.add("kmem: " + o + ": no page of a memory section");
                    } else {
                        pages.add(pg.get());
                        lines.add(pageRow(map, pg.get()));
                    }
                }
            }
        } catch (MemoryFault f) {
            problems.add(dev.kdive.finding.UnreadableMemory.of("struct page", f));
            lines.add("kmem: " + f.getMessage());
        }
        return new Output() {
            @Override
            public void text(PrintWriter out) {
                lines.forEach(out::println);
            }

            @Override
            public Object json() {
                return new Pages(pages.stream().map(pg -> new PageData(pg.address(), pg.physical(), pg.mapping(), pg.index(), pg.count(),
                        pg.flags(), map.flagNames(pg.flags()))).toList(), problems);
            }
        };
    }

    private static Optional<SlabCache> byAddress(Program p, Slub.Caches caches, String expr) {
        try {
            return caches.at(Args.address(p, "kmem", expr));
        } catch (UsageException e) {
            return Optional.empty();
        }
    }

    private static String row(Slub.CacheState st) {
        SlabCache c = st.cache();
        Slub.Census n = st.census();
        return String.format("%016x %8d %10d %9d %6d %5dk  %s", c.address(), c.objectSize(), n.allocated(), n.total(), n.slabs(),
                c.slabBytes() / 1024, c.name());
    }

    /** A cache as data, for JSON: its kmem_cache, sizes, census and free-pointer form. */
    record CacheData(@dev.kdive.value.Hex long cache, String name, long objectSize, long size, long allocated, long total, long slabs,
                     long slabSize, long freePointerOffset, String freePointer) {
        static CacheData of(Slub.CacheState st) {
            SlabCache c = st.cache();
            return new CacheData(c.address(), c.name(), c.objectSize(), c.size(), st.census().allocated(), st.census().total(),
                    st.census().slabs(), c.slabBytes(), c.freePointer().offset(), c.freePointer().form().formula());
        }
    }

    /** One page of kmem -p as data. */
    record PageData(@dev.kdive.value.Hex long page, @dev.kdive.value.Hex long physical, @dev.kdive.value.Hex long mapping,
                    @dev.kdive.value.Hex long index, long count, @dev.kdive.value.Hex long flags, String flagNames) {}

    record Pages(List<PageData> pages, List<Finding> problems) {}

    /** One slab as data: its struct slab, memory, counts, freelist head and free objects. */
    record SlabData(@dev.kdive.value.Hex long slab, @dev.kdive.value.Hex long memory, long objects, long inuse,
                    @dev.kdive.value.Hex long freelist, @dev.kdive.value.Hex List<Long> free) {
        static SlabData of(Slub.CacheState st, Slab s) {
            return new SlabData(s.address(), s.memory(), s.objects(), s.inuse(), s.freelist(), List.copyOf(st.freeObjects(s)));
        }
    }

    /** A CPU's kmem_cache_cpu as data. */
    record CpuData(int cpu, @dev.kdive.value.Hex long kmemCacheCpu, @dev.kdive.value.Hex long freelist, @dev.kdive.value.Hex long tid,
                   SlabData slab, List<SlabData> partial) {}

    /** A node's kmem_cache_node as data; full is absent without SLAB_STORE_USER. */
    record NodeData(int node, @dev.kdive.value.Hex long kmemCacheNode, long nrSlabs, long nrPartial, List<SlabData> partial,
                    List<SlabData> full) {}

    /** A cache with its slabs and findings (kmem -S). */
    record CacheDetail(@com.fasterxml.jackson.annotation.JsonUnwrapped CacheData cache, List<CpuData> cpus, List<NodeData> nodes,
                       List<SlabDamage> findings) {}

    record Caches(List<CacheData> caches, List<Finding> problems) {}

    record Details(List<CacheDetail> caches) {}

    record Checked(int caches, List<SlabDamage> findings, List<Finding> problems) {}

    /** Where an address lies, as data (kmem ADDR): its page and, in a slab, the cache, slab, object and its state. */
    record LocationData(@dev.kdive.value.Hex long address, @dev.kdive.value.Hex Long page,
                        @com.fasterxml.jackson.annotation.JsonUnwrapped CacheData cache, @dev.kdive.value.Hex Long slab,
                        @dev.kdive.value.Hex Long memory, @dev.kdive.value.Hex Long object, Long offset, String state, String freeIn,
                        List<dev.kdive.kernel.SlubDebug.ObjectTrack> tracks, List<Integer> headsCpuFreelist) {}

    /** {@code kmem -s}: crash's counts. */
    record Counts(List<Slub.CacheState> states, List<Finding> problems) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println(HEADER);
            for (Slub.CacheState st : states) {
                for (SlabDamage f : st.findings()) {
                    out.println("kmem: " + f.summary());
                }
                out.println(row(st));
            }
            problems.forEach(p -> out.println("kmem: " + p.summary()));
        }

        @Override
        public Object json() {
            return new Caches(states.stream().map(CacheData::of).toList(), problems);
        }
    }

    /** {@code kmem -V}: every finding with its evidence; silence means every list checked out. */
    record Validation(List<Slub.CacheState> states, List<Finding> problems) implements Output {
        @Override
        public void text(PrintWriter out) {
            int n = 0;
            long objects = 0;
            for (Slub.CacheState st : states) {
                objects += st.census().total();
                for (SlabDamage f : st.findings()) {
                    n++;
                    out.println(f.damage().title().toUpperCase() + ": " + f.summary());
                    f.evidence().forEach(e -> out.println("  " + e.text()));
                }
            }
            problems.forEach(p -> out.println("SLAB_CACHES: " + p.summary()));
            out.printf("kmem -V: %d caches, %d objects checked: %s%n", states.size(), objects,
                    n + problems.size() == 0 ? "no problems found" : (n + problems.size()) + " problem" + (n + problems.size() == 1 ? "" : "s"));
        }

        @Override
        public Object json() {
            return new Checked(states.size(), states.stream().flatMap(st -> st.findings().stream()).toList(), problems);
        }
    }

    /** {@code kmem -S}: per CPU and per node, each slab with its objects, free or [allocated]. */
    record Detail(List<Slub.CacheState> states, Map<Long, Integer> nodeOfSlab) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (Slub.CacheState st : states) {
                out.println(HEADER);
                for (SlabDamage f : st.findings()) {
                    out.println("kmem: " + f.summary());
                }
                out.println(row(st));
                for (Slub.CpuSlab cpu : st.cpus()) {
                    out.printf("CPU %d KMEM_CACHE_CPU:%n  %x%n", cpu.cpu(), cpu.address());
                    out.printf("CPU %d SLAB:%n", cpu.cpu());
                    if (cpu.slab().isEmpty()) {
                        out.println("  (empty)");
                    } else {
                        slab(out, st, cpu.slab().get(), cpu.cpu());
                    }
                    out.printf("CPU %d PARTIAL:%n", cpu.cpu());
                    if (cpu.partial().isEmpty()) {
                        out.println("  (empty)");
                    }
                    for (Slab s : cpu.partial()) {
                        slab(out, st, s, -1);
                    }
                }
                out.println("KMEM_CACHE_NODE   NODE  SLABS  PARTIAL  PER-CPU");
                long perCpu = st.cpus().stream().filter(c -> c.slab().isPresent()).count();
                for (Slub.NodeSlabs n : st.nodes()) {
                    out.printf("%016x %5d %6d %8d %8d%n", n.address(), n.node(), n.nrSlabs(), n.nrPartial(), perCpu);
                    out.printf("NODE %d PARTIAL:%n", n.node());
                    if (n.partial().isEmpty()) {
                        out.println("  (empty)");
                    }
                    for (Slab s : n.partial()) {
                        slab(out, st, s, -1);
                    }
                    out.printf("NODE %d FULL:%n", n.node());
                    if (n.full().isEmpty()) {
                        out.println("  (not tracked)");
                    } else if (n.full().get().isEmpty()) {
                        out.println("  (empty)");
                    } else {
                        for (Slab s : n.full().get()) {
                            slab(out, st, s, -1);
                        }
                    }
                }
                out.println();
            }
        }

        private void slab(PrintWriter out, Slub.CacheState st, Slab s, int cpu) {
            SlabCache c = st.cache();
            int free = st.freeObjects(s).size();
            out.println("  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE");
            out.printf("  %016x  %016x  %4d  %5d  %9d  %4d%n", s.address(), s.memory(), nodeOfSlab.getOrDefault(s.address(), 0), s.objects(),
                    s.objects() - free, free);
            out.println("  FREE / [ALLOCATED]");
            for (int i = 0; i < s.objects() && i < c.objectsPerSlab(); i++) {
                long o = s.object(c, i);
                String where = st.free().get(o);
                if (where == null) {
                    out.printf("  [%016x]%n", o);
                } else {
                    out.printf("   %016x  %s%n", o, where.equals("slab freelist") ? "" : "(" + where + ")");
                }
            }
            for (SlabDamage f : st.findings()) {
                if (f.slab() != null && f.slab() == s.address() && (cpu < 0 || f.onCpu(cpu))) {
                    out.println("  !! " + f.summary());
                    f.evidence().forEach(e -> out.println("     " + e.text()));
                }
            }
        }

        @Override
        public Object json() {
            List<CacheDetail> list = new ArrayList<>();
            for (Slub.CacheState st : states) {
                List<CpuData> cpus = st.cpus().stream().map(cpu -> new CpuData(cpu.cpu(), cpu.address(), cpu.freelist().head(), cpu.tid(),
                        cpu.slab().map(s -> SlabData.of(st, s)).orElse(null), cpu.partial().stream().map(s -> SlabData.of(st, s)).toList())).toList();
                List<NodeData> nodes = st.nodes().stream().map(n -> new NodeData(n.node(), n.address(), n.nrSlabs(), n.nrPartial(),
                        n.partial().stream().map(s -> SlabData.of(st, s)).toList(),
                        n.full().map(f -> f.stream().map(s -> SlabData.of(st, s)).toList()).orElse(null))).toList();
                list.add(new CacheDetail(CacheData.of(st), cpus, nodes, st.findings()));
            }
            return new Details(list);
        }

    }

    /** {@code kmem ADDR}: the cache, slab and object an address lies in, and whether that object is free. */
    record Where(long address, Optional<Slub.Location> location, int node, List<dev.kdive.kernel.SlubDebug.ObjectTrack> tracks, Optional<PageMap.Page> page, String pageRow,
                 boolean pageStruct) implements Output {
        @Override
        public void text(PrintWriter out) {
            slab(out);
            page.ifPresent(pg -> {
                out.println();
                out.println(PAGE_HEADER);
                out.println(pageRow);
            });
        }

        private void slab(PrintWriter out) {
            if (location.isEmpty()) {
                if (!pageStruct) {
                    out.printf("%x: not in a slab object of any cache%n", address);
                }
                return;
            }
            Slub.Location l = location.get();
            Slab s = l.slab();
            out.println(HEADER);
            out.println(row(l.state()));
            out.println("  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE");
            int free = l.state().freeObjects(s).size();
            out.printf("  %016x  %016x  %4d  %5d  %9d  %4d%n", s.address(), s.memory(), node, s.objects(), s.objects() - free, free);
            out.println("  FREE / [ALLOCATED]");
            if (pageStruct) {
                return;
            }
            if (l.free().isPresent()) {
                out.printf("   %016x  (%s)%n", l.object(), l.free().get());
            } else {
                out.printf("  [%016x]%n", l.object());
            }
            if (l.offset() != 0) {
                out.printf("  %x is %d bytes into that %d-byte object%n", address, l.offset(), l.cache().objectSize());
            }
            for (var t : tracks) { // SLAB_STORE_USER: who allocated and freed it
                out.println("  " + t.text().replace("\n      ", "\n    "));
            }
            for (Slub.CpuSlab cpu : l.state().cpusWhoseFreelistStartsAt(l.object())) {
                out.printf("  it heads CPU %d's per-cpu freelist (kmem_cache_cpu %x): a kfree() of it now meets object == fp,%n"
                        + "  the double-free check of set_freepointer() (mm/slub.c)%n", cpu.cpu(), cpu.address());
            }
            if (s.freelist() == l.object()) {
                out.printf("  it heads slab %x's freelist%n", s.address());
            }
            for (SlabDamage f : l.state().findings()) {
                if (f.slab() != null && f.slab() == s.address()) {
                    out.println("  !! " + f.summary());
                }
            }
        }

        @Override
        public Object json() {
            if (location.isEmpty()) {
                return new LocationData(address, page.map(PageMap.Page::address).orElse(null), null, null, null, null, null, null, null, null,
                        null);
            }
            Slub.Location l = location.get();
            return new LocationData(address, page.map(PageMap.Page::address).orElse(null), CacheData.of(l.state()), l.slab().address(),
                    l.slab().memory(), l.object(), (long) l.offset(), l.free().isPresent() ? "free" : "allocated", l.free().orElse(null),
                    tracks, l.state().cpusWhoseFreelistStartsAt(l.object()).stream().map(Slub.CpuSlab::cpu).toList());
        }
    }
}
