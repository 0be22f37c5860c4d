package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.kernel.PageMap;
import dev.kdive.kernel.Zones;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** kmem's node and zone forms, in crash's layout: {@code -z} zone statistics, {@code -f}/{@code -F} free areas, {@code -n} nodes and sections. */
final class KmemZones {
    private static final String ZONE_HEADER = "ZONE  NAME        SIZE    FREE  " + Text.centre("MEM_MAP", 16, false) + "  START_PADDR  START_MAPNR";

    private KmemZones() {
    }

    /** {@code kmem -z}: each zone's span, watermarks and vm_stat counters. */
    record ZoneStats(Zones.Nodes nodes) implements Output {
        @Override
        public void text(PrintWriter out) {
            int n = 0;
            for (Zones.Node node : nodes.nodes()) {
                for (Zones.Zone z : node.zones()) {
                    out.printf("NODE: %d  ZONE: %d  ADDR: %x  NAME: \"%s\"%n", n, z.index(), z.address(), z.name());
                    if (z.spanned() == 0) {
                        out.println("  [unpopulated]");
                        out.println();
                        continue;
                    }
                    // crash prints PRESENT only where holes make it smaller than the span
                    out.printf("  SIZE: %d%s  MIN/LOW/HIGH: %d/%d/%d%n", z.spanned(), z.present() < z.spanned() ? "  PRESENT: " + z.present() : "",
                            z.min(), z.low(), z.high());
                    out.println("  VM_STAT:");
                    int width = z.stats().stream().mapToInt(s -> s.name().length()).max().orElse(0);
                    for (Zones.Stat s : z.stats()) {
                        out.printf("%" + width + "s: %d%n", s.name(), s.value());
                    }
                    out.println();
                    out.println();
                }
                n++;
            }
            nodes.problems().forEach(f -> out.println("kmem: " + f.summary()));
        }

        @Override
        public Object json() {
            return nodes;
        }
    }

    /** The free areas of every zone with free pages, and the total against the zones' NR_FREE_PAGES. */
    record FreeAreas(Zones.Nodes nodes, List<Zones.FreeArea> areas, boolean verbose) implements Output {
        static FreeAreas of(Program p, Zones.Nodes nodes, boolean verbose) {
            List<Zones.FreeArea> areas = new ArrayList<>();
            for (Zones.Zone z : nodes.zones()) {
                if (z.free() != 0) { // as crash: a zone the counters call empty is not walked
                    areas.add(Zones.freeArea(p, z));
                }
            }
            return new FreeAreas(nodes, List.copyOf(areas), verbose);
        }

        long counted() {
            return nodes.zones().stream().mapToLong(Zones.Zone::free).sum();
        }

        long found() {
            return areas.stream().mapToLong(Zones.FreeArea::pages).sum();
        }

        @Override
        public void text(PrintWriter out) {
            int n = 0;
            boolean many = nodes.nodes().size() > 1;
            for (Zones.Node node : nodes.nodes()) {
                if (many) {
                    if (n > 0) {
                        out.println();
                        out.println("-".repeat(74));
                    }
                    out.printf("%sNODE%n %2d%n", n > 0 ? "\n" : "", node.id());
                }
                for (Zones.Zone z : node.zones()) {
                    if (z.index() > 0) {
                        out.println();
                    }
                    out.println(ZONE_HEADER);
                    long mapnr = z.memMap() == 0 ? 0 : z.startPfn() - node.startPfn(); // struct pages from the node's first
                    out.printf("%3d   %-9s %6d  %6d  %s  %s  %s%n", z.index(), z.name(), z.spanned(), z.free(),
                            Text.centre(Long.toHexString(z.memMap()), 16, false), Text.centre(Long.toHexString(z.startPfn() << 12), 11, true),
                            Text.centre(Long.toString(mapnr), 11, true));
                    areas.stream().filter(a -> a.zone().equals(z)).findFirst().ifPresent(a -> area(out, a));
                }
                n++;
            }
            long found = found();
            out.println();
            out.printf("nr_free_pages: %d  %s%n", counted(), found == counted() ? "(verified)" : "(found " + found + ")");
            nodes.problems().forEach(f -> out.println("kmem: " + f.summary()));
        }

        private void area(PrintWriter out, Zones.FreeArea a) {
            if (!verbose) {
                out.println("AREA    SIZE  FREE_AREA_STRUCT  BLOCKS  PAGES");
            }
            for (Zones.FreeList l : a.lists()) {
                if (verbose) {
                    out.println("AREA    SIZE  FREE_AREA_STRUCT");
                }
                String row = String.format("%3d  %7s  %s  ", l.order(), (4L << l.order()) + "k", Text.centre(Long.toHexString(l.head()), 16, false));
                if (verbose) {
                    out.println(row);
                    l.blocks().forEach(b -> out.printf("%x%n", b));
                } else {
                    out.printf("%s%6d %6d%n", row, l.blocks().size(), l.pages());
                }
                for (Finding f : l.findings()) {
                    out.println("kmem: " + f.summary());
                }
            }
        }

        @Override
        public Object json() {
            return new FreeData(areas, counted(), found(), nodes.problems());
        }
    }

    record FreeData(List<Zones.FreeArea> zones, long nrFreePages, long found, List<Finding> problems) {}

    /** {@code kmem -n}: nodes, their zones and the memory sections. */
    record NodeMap(Zones.Nodes nodes, List<PageMap.MemSection> sections, int pfnShift, int pageStruct, dev.kdive.kernel.MemoryBlocks.Blocks blocks,
                   List<Finding> problems) implements Output {
        static NodeMap of(Program p, Zones.Nodes nodes) {
            PageMap map = PageMap.of(p);
            List<Finding> problems = new ArrayList<>(nodes.problems());
            List<PageMap.MemSection> sections = List.of();
            try {
                sections = map.memSections();
            } catch (MemoryFault f) {
                problems.add(dev.kdive.finding.UnreadableMemory.of("mem_section", f));
            }
            dev.kdive.kernel.MemoryBlocks.Blocks blocks = dev.kdive.kernel.MemoryBlocks.of(p, map.sectionShift());
            problems.addAll(blocks.problems());
            return new NodeMap(nodes, sections, map.sectionShift(), map.pageStructSize(), blocks, List.copyOf(problems));
        }

        @Override
        public void text(PrintWriter out) {
            String zoneHeader = "ZONE  NAME         SIZE  " + Text.centre("MEM_MAP", 16, true) + "  START_PADDR  START_MAPNR";
            int n = 0;
            for (Zones.Node node : nodes.nodes()) {
                if (n > 0) {
                    out.println();
                    out.print("-".repeat(zoneHeader.length()));
                }
                out.printf("%sNODE  %s  %s  %s  %s%n", n > 0 ? "\n\n" : "", Text.centre("SIZE", 8, false), Text.centre("PGLIST_DATA", 16, false),
                        Text.centre("BOOTMEM_DATA", 16, false), Text.centre("NODE_ZONES", 16, false));
                String size = Text.centre(Long.toString(node.spanned()), 8, false);
                String first = node.zones().isEmpty() ? "" : Long.toHexString(node.zones().getFirst().address());
                String zones = Text.centre(first, 16, false);
                out.printf(" %2d   %s  %s  %s  %s%n", node.id(), size, Text.centre(Long.toHexString(node.pgdat()), 16, false),
                        Text.centre("----", 16, false), zones);
                // the other zones under the first, as crash lines them up
                int indent = 12 + size.length() + 16 + 16 + (zones.length() - zones.stripLeading().length());
                node.zones().stream().skip(1).forEach(z -> out.println(" ".repeat(indent) + Long.toHexString(z.address())));
                out.println(Text.centre("MEM_MAP", 16, false) + "     START_PADDR    START_MAPNR");
                out.printf("%s  %s  %s%n", Text.centre(Long.toHexString(node.memMap()), 16, false),
                        Text.centre(Long.toHexString(node.startPfn() << 12), 16, true), Text.centre(Long.toString(node.startPfn()), 11, true));
                out.println();
                out.println(zoneHeader);
                for (Zones.Zone z : node.zones()) {
                    out.printf(" %2d   %-9s %7d  %16x  %11x  %11d%n", z.index(), z.name(), z.spanned(), z.memMap(), z.startPfn() << 12,
                            z.spanned() == 0 ? 0 : z.startPfn());
                }
                n++;
            }
            out.println();
            out.println("-".repeat(67));
            out.println();
            out.printf("NR  %s  %s  %s  %s PFN%n", Text.centre("SECTION", 16, false), Text.centre("CODED_MEM_MAP", 16, false),
                    Text.centre("MEM_MAP", 16, false), "STATE");
            String[] letters = {"P", "M", "O", "E", "D"};
            for (PageMap.MemSection s : sections) {
                StringBuilder state = new StringBuilder();
                for (int bit = 0; bit < letters.length; bit++) {
                    if (s.flag(bit)) {
                        state.append(letters[bit]);
                    }
                }
                out.printf("%2d  %s  %s  %s  %s %-16d%n", s.nr(), Text.centre(Long.toHexString(s.address()), 16, false),
                        Text.centre(Long.toHexString(s.coded()), 16, true), Text.centre(Long.toHexString(s.memMap(pfnShift, pageStruct)), 16, true),
                        Text.centre(state.toString(), 5, false), s.nr() << pfnShift);
            }
            if (blocks.present()) {
                memoryBlocks(out);
            }
            problems.forEach(f -> out.println("kmem: " + f.summary()));
        }

        /** The memory blocks, crash's columns: physical addresses 8 wide (crash's PADDR_PRLEN), the node where blocks have one. */
        private void memoryBlocks(PrintWriter out) {
            boolean ranges = blocks.blocks().stream().allMatch(b -> b.end() != -1);
            boolean nid = blocks.blocks().stream().anyMatch(b -> b.node() >= 0);
            String range = ranges ? "PHYSICAL RANGE" : "PHYSICAL START";
            out.println();
            if (nid) {
                out.printf("%s %s   %s   NODE  %-7s %-12s%n", Text.centre("MEM_BLOCK", 16, false), Text.centre("NAME", 10, false),
                        Text.centre(range, 18, false), "STATE", "START_SECTION_NO");
            } else {
                out.printf("%s %s   %s    %-7s %-12s%n", Text.centre("MEM_BLOCK", 16, false), Text.centre("NAME", 10, false),
                        Text.centre(range, 16, false), "STATE", "START_SECTION_NO");
            }
            for (var b : blocks.blocks()) {
                String paddr = b.end() == -1 ? Text.centre(Long.toHexString(b.start()), 19, false)
                        : String.format("%8x - %8x", b.start(), b.end());
                if (nid) {
                    out.printf(" %-16x %s %s %s  %-7s %-12d%n", b.address(), Text.centre(b.name(), 12, false), paddr,
                            Text.centre(Integer.toString(b.node()), 4, false), b.stateName(), b.startSection());
                } else {
                    out.printf(" %-16x %s %s  %-7s %-12d%n", b.address(), Text.centre(b.name(), 10, false), paddr, b.stateName(), b.startSection());
                }
            }
        }

        @Override
        public Object json() {
            return new NodeData(nodes.nodes(), sections.stream().map(s -> new SectionData(s.nr(), s.address(), s.coded(),
                    s.memMap(pfnShift, pageStruct), s.mapWord() & 0x3f, s.nr() << pfnShift)).toList(), blocks.blocks(), problems);
        }
    }

    record SectionData(long nr, @dev.kdive.value.Hex long section, @dev.kdive.value.Hex long codedMemMap, @dev.kdive.value.Hex long memMap,
                       @dev.kdive.value.Hex long flags, long pfn) {}

    record NodeData(List<Zones.Node> nodes, List<SectionData> sections, List<dev.kdive.kernel.MemoryBlocks.Block> memoryBlocks,
                    List<Finding> problems) {}
}
