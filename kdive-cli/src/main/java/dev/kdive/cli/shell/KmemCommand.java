package dev.kdive.cli.shell;

import dev.kdive.types.TypeException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.MemoryInfo;
import dev.kdive.kernel.PageMap;
import dev.kdive.kernel.Slab;
import dev.kdive.kernel.SlabCache;
import dev.kdive.finding.Evidence;
import dev.kdive.finding.Finding;
import dev.kdive.finding.SlabDamage;
import dev.kdive.kernel.Slub;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code kmem}: the SLUB allocator as crash shows it ({@code -s} counts per cache, {@code -S}
 * slabs and objects, {@code ADDR} where an address lies) plus kdive's {@code -V}: every freelist
 * and slab list of every cache checked, each problem with its evidence.
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
        return "kmem -s|-S|-V [CACHE] | -p [ADDR] | ADDR   slab caches: counts, slabs and objects, validation (-V, kdive's); page structs; where ADDR lies";
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

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        Args a = new Args("kmem", args, Set.of("-s", "-S", "-V", "-p", "-i"), Set.of());
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
                m.problems().forEach(x -> out.println("kmem: " + x));
            }

            private static void row(PrintWriter out, String name, long pages, long of, String whole) {
                out.printf("%13s  %7d  %11s  %3d%% of %s%n", name, pages, MemoryInfo.size(pages), of == 0 ? 0 : pages * 100 / of, whole);
            }

            @Override
            public Object json() {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("total_pages", m.total());
                j.put("free_pages", m.free());
                j.put("used_pages", m.total() - m.free());
                j.put("shared_pages", m.shared());
                j.put("buffer_pages", m.buffers());
                j.put("cached_pages", m.cached());
                j.put("slab_pages", m.slab());
                j.put("huge_total_pages", m.hugeTotal());
                j.put("huge_free_pages", m.hugeFree());
                j.put("swap_total_pages", m.swapTotal());
                j.put("swap_used_pages", m.swapUsed());
                j.put("commit_limit_pages", m.commitLimit());
                j.put("committed_pages", m.committed());
                j.put("problems", m.problems());
                return j;
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
        lines.add(PAGE_HEADER);
        try {
            if (a.operands().isEmpty()) {
                map.forEach(map.sections(), pg -> {
                    pages.add(pg);
                    lines.add(pageRow(map, pg));
                }, problem -> lines.add("kmem: " + problem));
            } else {
                for (String o : a.operands()) {
                    Optional<PageMap.Page> pg = pageFor(p, map, Args.address(p, "kmem", o));
                    if (pg.isEmpty()) {
                        lines.add("kmem: " + o + ": no page of a memory section");
                    } else {
                        pages.add(pg.get());
                        lines.add(pageRow(map, pg.get()));
                    }
                }
            }
        } catch (MemoryFault f) {
            lines.add("kmem: " + f.getMessage());
        }
        return new Output() {
            @Override
            public void text(PrintWriter out) {
                lines.forEach(out::println);
            }

            @Override
            public Object json() {
                List<Object> list = new ArrayList<>();
                for (PageMap.Page pg : pages) {
                    Map<String, Object> j = new LinkedHashMap<>();
                    j.put("page", Hex.of(pg.address()));
                    j.put("physical", Hex.of(pg.physical()));
                    j.put("mapping", Hex.of(pg.mapping()));
                    j.put("index", Hex.of(pg.index()));
                    j.put("count", pg.count());
                    j.put("flags", Hex.of(pg.flags()));
                    j.put("flag_names", map.flagNames(pg.flags()));
                    list.add(j);
                }
                return Map.of("pages", list, "problems", lines.stream().filter(l -> l.startsWith("kmem: ")).toList());
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

    private static Map<String, Object> cacheJson(Slub.CacheState st) {
        SlabCache c = st.cache();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("cache", Hex.of(c.address()));
        j.put("name", c.name());
        j.put("object_size", c.objectSize());
        j.put("size", c.size());
        j.put("allocated", st.census().allocated());
        j.put("total", st.census().total());
        j.put("slabs", st.census().slabs());
        j.put("slab_size", c.slabBytes());
        j.put("free_pointer_offset", c.freePointer().offset());
        j.put("free_pointer", c.freePointer().form().formula());
        return j;
    }

    private static Map<String, Object> findingJson(SlabDamage f) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("kind", f.damage().name().toLowerCase());
        j.put("cache", f.cache());
        j.put("kmem_cache", Hex.of(f.kmemCache()));
        if (f.cpu() != null) {
            j.put("cpu", f.cpu());
        }
        if (f.node() != null) {
            j.put("node", f.node());
        }
        j.put("slab", Hex.of(f.slab() == null ? 0 : f.slab()));
        if (f.object() != null) {
            j.put("object", Hex.of(f.object()));
        }
        if (f.slot() != null) {
            j.put("slot", Hex.of(f.slot()));
            j.put("stored", Hex.of(f.stored()));
        }
        j.put("pointer", Hex.of(f.pointer() == null ? 0 : f.pointer()));
        j.put("summary", f.summary());
        j.put("evidence", f.evidence().stream().map(Evidence::text).toList());
        return j;
    }

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
            return Map.of("caches", states.stream().map(KmemCommand::cacheJson).toList(), "problems", problems);
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
            List<Object> findings = new ArrayList<>();
            for (Slub.CacheState st : states) {
                st.findings().forEach(f -> findings.add(findingJson(f)));
            }
            return Map.of("caches", states.size(), "findings", findings, "problems", problems);
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
            List<Object> list = new ArrayList<>();
            for (Slub.CacheState st : states) {
                Map<String, Object> j = cacheJson(st);
                List<Object> cpus = new ArrayList<>();
                for (Slub.CpuSlab cpu : st.cpus()) {
                    Map<String, Object> cj = new LinkedHashMap<>();
                    cj.put("cpu", cpu.cpu());
                    cj.put("kmem_cache_cpu", Hex.of(cpu.address()));
                    cj.put("freelist", Hex.of(cpu.freelist().head()));
                    cj.put("tid", Hex.of(cpu.tid()));
                    cpu.slab().ifPresent(s -> cj.put("slab", slabJson(st, s)));
                    cj.put("partial", cpu.partial().stream().map(s -> slabJson(st, s)).toList());
                    cpus.add(cj);
                }
                j.put("cpus", cpus);
                List<Object> nodes = new ArrayList<>();
                for (Slub.NodeSlabs n : st.nodes()) {
                    Map<String, Object> nj = new LinkedHashMap<>();
                    nj.put("node", n.node());
                    nj.put("kmem_cache_node", Hex.of(n.address()));
                    nj.put("nr_slabs", n.nrSlabs());
                    nj.put("nr_partial", n.nrPartial());
                    nj.put("partial", n.partial().stream().map(s -> slabJson(st, s)).toList());
                    n.full().ifPresent(f -> nj.put("full", f.stream().map(s -> slabJson(st, s)).toList()));
                    nodes.add(nj);
                }
                j.put("nodes", nodes);
                j.put("findings", st.findings().stream().map(KmemCommand::findingJson).toList());
                list.add(j);
            }
            return Map.of("caches", list);
        }

        private static Map<String, Object> slabJson(Slub.CacheState st, Slab s) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("slab", Hex.of(s.address()));
            j.put("memory", Hex.of(s.memory()));
            j.put("objects", s.objects());
            j.put("inuse", s.inuse());
            j.put("freelist", Hex.of(s.freelist()));
            j.put("free", st.freeObjects(s).stream().map(Hex::of).toList());
            return j;
        }
    }

    /** {@code kmem ADDR}: the cache, slab and object an address lies in, and whether that object is free. */
    record Where(long address, Optional<Slub.Location> location, int node, List<String> tracks, Optional<PageMap.Page> page, String pageRow,
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
            for (String t : tracks) { // SLAB_STORE_USER: who allocated and freed it
                out.println("  " + t.replace("\n      ", "\n    "));
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
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("address", Hex.of(address));
            page.ifPresent(pg -> j.put("page", Hex.of(pg.address())));
            location.ifPresent(l -> {
                j.putAll(cacheJson(l.state()));
                j.put("slab", Hex.of(l.slab().address()));
                j.put("memory", Hex.of(l.slab().memory()));
                j.put("object", Hex.of(l.object()));
                j.put("offset", l.offset());
                j.put("state", l.free().isPresent() ? "free" : "allocated");
                l.free().ifPresent(w -> j.put("free_in", w));
                j.put("tracks", tracks);
                j.put("heads_cpu_freelist", l.state().cpusWhoseFreelistStartsAt(l.object()).stream().map(Slub.CpuSlab::cpu).toList());
            });
            return j;
        }
    }
}
