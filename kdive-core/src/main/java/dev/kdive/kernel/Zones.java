package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.types.Type;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Memory nodes and their zones (include/linux/mmzone.h): each online node's {@code pglist_data}
 * ({@code node_data[]} under NUMA, else {@code contig_page_data}), the {@code node_zones[]} in it
 * with spans, watermarks and {@code vm_stat[]} counters named by the dump's {@code enum
 * zone_stat_item}, and the buddy allocator's {@code free_area[order].free_list[migratetype]}
 * lists of free blocks (mm/page_alloc.c). Array lengths come from the dump's types.
 */
public final class Zones {
    private Zones() {
    }

    /** One vm_stat counter of a zone, named by its {@code enum zone_stat_item} enumerator. */
    public record Stat(String name, long value) {}

    /**
     * One {@code struct zone}.
     *
     * @param index    its place in the node's node_zones[] (enum zone_type)
     * @param spanned  spanned_pages, 0 for a zone without memory
     * @param free     vm_stat[NR_FREE_PAGES]
     * @param memMap   the struct page of its first frame, 0 when it spans nothing or that frame has no mem map
     * @param freeArea the address of free_area[0]
     */
    public record Zone(int node, int index, @Hex long address, String name, long startPfn, long spanned, long present, long min,
                       long low, long high, long free, List<Stat> stats, @Hex long memMap, @Hex long freeArea) {}

    /** One node's {@code pglist_data}; {@code memMap} the struct page of its first frame. */
    public record Node(int id, @Hex long pgdat, long startPfn, long spanned, long present, @Hex long memMap, List<Zone> zones) {}

    public record Nodes(List<Node> nodes, List<Finding> problems) {
        /** {@return every zone of every node, in order} */
        public List<Zone> zones() {
            return nodes.stream().flatMap(n -> n.zones().stream()).toList();
        }
    }

    /**
     * One {@code free_area[order].free_list[type]}: the free blocks on it, each named by the
     * struct page of its first frame (linked through page.buddy_list, page.lru before 6.3).
     */
    public record FreeList(int order, int type, @Hex long head, @Hex List<Long> blocks, List<Finding> findings) {
        /** {@return the base pages the blocks on this list hold} */
        public long pages() {
            return (long) blocks.size() << order;
        }
    }

    /** A zone's free lists, order by order and migrate type by migrate type. */
    public record FreeArea(Zone zone, List<FreeList> lists) {
        public long pages() {
            return lists.stream().mapToLong(FreeList::pages).sum();
        }
    }

    /** {@return the online nodes and their zones; what cannot be read is a finding} */
    public static Nodes of(Program p) {
        List<Finding> problems = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        List<Long> pgdats = pgdats(p, problems);
        if (pgdats.isEmpty()) {
            return new Nodes(List.of(), problems);
        }
        KernelObject pgdat0 = KernelObject.at(p, "pglist_data", 0);
        KernelObject zone0 = KernelObject.at(p, "zone", 0);
        int nrZones = (int) length(pgdat0.member("node_zones"));
        long zoneSize = zone0.type().size();
        String watermark = zone0.struct().member("_watermark").isPresent() ? "_watermark" : "watermark"; // 5.0 renamed it
        Map<String, Long> wmarks = enumerators(p, "enum zone_watermarks");
        Map<String, Long> items = enumerators(p, "enum zone_stat_item");
        List<String> statNames = statNames(items, (int) length(zone0.member("vm_stat")));
        int nrFreePages = items.getOrDefault("NR_FREE_PAGES", 0L).intValue();
        PageMap map = PageMap.of(p);
        for (long pgdat : pgdats) {
            try {
                KernelObject node = new KernelObject(p, pgdat0.struct(), pgdat);
                int id = (int) node.read("node_id");
                long nodeStart = node.read("node_start_pfn");
                List<Zone> zones = new ArrayList<>();
                for (int i = 0; i < nrZones; i++) {
                    long addr = node.addressOf("node_zones") + i * zoneSize;
                    KernelObject z = new KernelObject(p, zone0.struct(), addr);
                    long nameAt = z.read("name");
                    String name = nameAt == 0 ? "(unknown)" : p.kernel().cstring(nameAt, 32);
                    long spanned = z.read("spanned_pages");
                    long start = z.read("zone_start_pfn");
                    long wm = z.addressOf(watermark);
                    List<Stat> stats = new ArrayList<>();
                    long vmStat = z.addressOf("vm_stat");
                    for (int s = 0; s < statNames.size(); s++) {
                        stats.add(new Stat(statNames.get(s), p.kernel().u64(vmStat + 8L * s)));
                    }
                    zones.add(new Zone(id, i, addr, name, start, spanned, z.read("present_pages"),
                            p.kernel().u64(wm + 8 * wmarks.getOrDefault("WMARK_MIN", 0L)),
                            p.kernel().u64(wm + 8 * wmarks.getOrDefault("WMARK_LOW", 1L)),
                            p.kernel().u64(wm + 8 * wmarks.getOrDefault("WMARK_HIGH", 2L)),
                            nrFreePages < stats.size() ? stats.get(nrFreePages).value() : 0, List.copyOf(stats),
                            spanned != 0 && map.valid(start) ? map.pageOf(start) : 0, z.addressOf("free_area")));
                }
                nodes.add(new Node(id, pgdat, nodeStart, node.read("node_spanned_pages"), node.read("node_present_pages"),
                        map.valid(nodeStart) ? map.pageOf(nodeStart) : 0, List.copyOf(zones)));
            } catch (MemoryFault f) {
                problems.add(UnreadableMemory.of("pglist_data " + Long.toHexString(pgdat), f));
            }
        }
        return new Nodes(List.copyOf(nodes), List.copyOf(problems));
    }

    /**
     * {@return the pglist_data of each online node: node_data[] under NUMA (entries of nodes set in
     * node_states[N_ONLINE], include/linux/nodemask.h), else contig_page_data}
     */
    private static List<Long> pgdats(Program p, List<Finding> problems) {
        List<Long> out = new ArrayList<>();
        try {
            if (p.symbols().lookup("node_data").isEmpty()) {
                out.add(p.address("contig_page_data"));
                return out;
            }
            long nodeData = p.address("node_data");
            int max = Integer.parseInt(p.vmcoreinfo().getOrDefault("LENGTH(node_data)", "1"));
            long online = onlineMask(p);
            for (int n = 0; n < max; n++) {
                if (online != -1 && (n >= 64 || (online & (1L << n)) == 0)) {
                    continue; // the first word of the mask covers 64 nodes: more than any machine kdive has met
                }
                long pgdat = p.kernel().u64(nodeData + 8L * n);
                if (pgdat != 0) {
                    out.add(pgdat);
                }
            }
        } catch (MemoryFault | dev.kdive.program.UnknownSymbolException e) {
            problems.add(Finding.missing("memory nodes", e));
        }
        return out;
    }

    /** {@return the first word of node_states[N_ONLINE], or -1 (every node) when the kernel's types do not say where it is} */
    private static long onlineMask(Program p) {
        try {
            Long index = enumerators(p, "enum node_states").get("N_ONLINE");
            long size = p.types().lookup("nodemask_t").map(Type::size).orElse(0L);
            if (index == null || size == 0) {
                return -1;
            }
            return p.kernel().u64(p.address("node_states") + index * size);
        } catch (MemoryFault | dev.kdive.program.UnknownSymbolException e) {
            return -1;
        }
    }

    /**
     * {@return every free list of a zone, walked with a bound: a list cannot hold more blocks of an
     * order than the zone spans; a loop, a bad link or an overlong list is a finding on that list}
     */
    public static FreeArea freeArea(Program p, Zone zone) {
        KernelObject zone0 = KernelObject.at(p, "zone", 0);
        KernelObject area0 = KernelObject.at(p, "free_area", 0);
        KernelObject page0 = KernelObject.at(p, "page", 0);
        int orders = (int) length(zone0.member("free_area"));
        int types = (int) length(area0.member("free_list"));
        long listHead = p.types().lookup("struct list_head").map(Type::size).orElse(16L);
        long areaSize = area0.type().size();
        // 6.3 named the free-list link page.buddy_list; it shares its place with page.lru before that
        long link = page0.struct().member("buddy_list").isPresent() ? page0.member("buddy_list").offset() : page0.member("lru").offset();
        List<FreeList> lists = new ArrayList<>();
        for (int order = 0; order < orders; order++) {
            for (int type = 0; type < types; type++) {
                long head = zone.freeArea() + order * areaSize + area0.member("free_list").offset() + type * listHead;
                String name = "zone " + zone.name() + " free_area[" + order + "].free_list[" + type + "]";
                Lists.Walk w = Lists.listForEachEntry(p, name, head, link, (int) Math.min(Lists.LIMIT, (zone.spanned() >> order) + 1));
                List<Finding> findings = new ArrayList<>(w.findings());
                buddies(p, page0, name, order, w.entries(), findings);
                lists.add(new FreeList(order, type, head, w.entries(), List.copyOf(findings)));
            }
        }
        return new FreeArea(zone, List.copyOf(lists));
    }

    /** Findings about one list are capped: past that many, a list is broken, not a few of its pages. */
    private static final int MAX_BLOCK_FINDINGS = 8;

    /**
     * Checks that each block on a free list is what the buddy allocator put there: a page of type
     * buddy (VMCOREINFO's PAGE_BUDDY_MAPCOUNT_VALUE, the whole page_type before 6.12, its top byte,
     * PGTY_buddy, from 6.12 where the low bits are zero) whose page.private holds the list's order
     * (set_buddy_order(), mm/page_alloc.c).
     */
    private static void buddies(Program p, KernelObject page0, String list, int order, List<Long> blocks, List<Finding> findings) {
        String value = p.vmcoreinfo().get("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)");
        if (value == null) {
            return;
        }
        int buddy = (int) Long.parseLong(value);
        String typeMember = page0.struct().member("page_type").isPresent() ? "page_type" : "_mapcount";
        int reported = 0;
        for (long page : blocks) {
            if (reported >= MAX_BLOCK_FINDINGS) {
                break;
            }
            try {
                KernelObject pg = new KernelObject(p, page0.struct(), page);
                int type = (int) pg.read(typeMember);
                long got = pg.read("private");
                boolean isBuddy = (buddy & 0xffffff) == 0 ? (type & 0xff000000) == (buddy & 0xff000000) : type == buddy;
                if (!isBuddy || got != order) {
                    reported++;
                    findings.add(new dev.kdive.finding.Inconsistent("free block " + Long.toHexString(page) + " on " + list, page,
                            "a buddy page of order " + order, (isBuddy ? "a buddy page" : "page." + typeMember + " " + Integer.toHexString(type))
                                    + " of order (page.private) " + got, List.of()));
                }
            } catch (MemoryFault f) {
                reported++;
                findings.add(UnreadableMemory.of("struct page of free block " + Long.toHexString(page) + " on " + list, f));
            }
        }
    }

    /** {@return the enumerators of an enum, by name} */
    static Map<String, Long> enumerators(Program p, String name) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        if (p.types().lookup(name).map(Type::resolved).orElse(null) instanceof Type.Enum e) {
            e.values().forEach(v -> out.put(v.name(), v.value()));
        }
        return out;
    }

    /**
     * {@return the name of each zone vm_stat index below NR_VM_ZONE_STAT_ITEMS: where two
     * enumerators share a value (NR_ZONE_LRU_BASE = NR_ZONE_INACTIVE_ANON) the later one names it}
     */
    private static List<String> statNames(Map<String, Long> items, int arrayLength) {
        long n = Math.min(arrayLength, items.getOrDefault("NR_VM_ZONE_STAT_ITEMS", (long) arrayLength));
        TreeMap<Long, String> byValue = new TreeMap<>();
        items.forEach((k, v) -> {
            if (v >= 0 && v < n) {
                byValue.put(v, k);
            }
        });
        List<String> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.add(byValue.getOrDefault(i, "vm_stat[" + i + "]"));
        }
        return out;
    }

    private static long length(Type.Member m) {
        return m.type().get().resolved() instanceof Type.Array a ? a.length() : 1;
    }
}
