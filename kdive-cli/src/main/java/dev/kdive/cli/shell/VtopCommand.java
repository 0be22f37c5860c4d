package dev.kdive.cli.shell;

import dev.kdive.arch.Translation;
import dev.kdive.arch.x86_64.KernelLayout;
import dev.kdive.arch.x86_64.PageTables;
import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.PageMap;
import dev.kdive.types.TypeException;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code vtop}: a virtual address's page-table walk, level by level, in crash's x86-64 layout. */
final class VtopCommand implements ShellCommand {
    private final Session session;

    VtopCommand(Session session) {
        this.session = session;
    }

    @Override
    public String name() {
        return "vtop";
    }

    @Override
    public String synopsis() {
        return "vtop [-u [-c PID]|-k] ADDR...   virtual to physical, with the page-table walk";
    }

    @Override
    public String example() {
        return "vtop init_task           where init_task lies in physical memory, and the page-table walk";
    }

    record Walk(Translation translation, long topTableVirtual, String region, String pageLine) {}

    /** One page-table step as data: the level, where its entry is, the entry. */
    record Step(String level, @dev.kdive.value.Hex long entryAddress, @dev.kdive.value.Hex long entry) {}

    /** One translation as data, for JSON; physical and pageSize are absent when it does not map, error says why. */
    record WalkData(@dev.kdive.value.Hex long virtual, String region, List<Step> walk, @dev.kdive.value.Hex Long physical, Long pageSize,
                    String error) {}

    record Walks(List<Walk> walks) implements Output {
        @Override
        public void text(PrintWriter out) {
            boolean first = true;
            for (Walk w : walks) {
                if (!first) {
                    out.println();
                }
                first = false;
                Translation t = w.translation();
                out.println("VIRTUAL           PHYSICAL        ");
                out.printf("%-16x  %s%n", t.virtual(), t instanceof Translation.Mapped m
                        ? String.format("%-16x", m.physical()) : "(not mapped)");
                out.println();
                out.printf("PGD DIRECTORY: %x%n", w.topTableVirtual());
                List<Translation.Step> steps = t.walk();
                for (int i = 0; i < steps.size(); i++) {
                    Translation.Step s = steps.get(i);
                    if (i == 0) {
                        out.printf("PAGE DIRECTORY: %x%n", s.entry());
                    } else {
                        out.printf("%6s: %x => %x%n", s.level(), s.entryAddress(), s.entry());
                    }
                }
                if (t instanceof Translation.Mapped m) {
                    long base = m.physical() & ~(m.pageSize() - 1);
                    String size = m.pageSize() == 1L << 30 ? "  (1GB)" : m.pageSize() == 1L << 21 ? "  (2MB)" : "";
                    out.printf("  PAGE: %x%s%n", base, size);
                    out.println();
                    long pte = steps.getLast().entry();
                    out.println("  PTE     PHYSICAL  FLAGS");
                    out.printf("%x  %x  (%s)%n", pte, base, PageTables.entryFlags(pte));
                    if (w.pageLine() != null) {
                        out.println();
                        out.println("      PAGE       PHYSICAL      MAPPING   CNT FLAGS");
                        out.println(w.pageLine());
                    }
                } else if (t instanceof Translation.Unmapped u && !u.reason().startsWith("not mapped")) {
                    out.println("vtop: " + u.reason());
                }
            }
        }

        @Override
        public Object json() {
            List<WalkData> out = new ArrayList<>();
            for (Walk w : walks) {
                Translation t = w.translation();
                List<Step> steps = t.walk().stream().map(s -> new Step(s.level(), s.entryAddress(), s.entry())).toList();
                out.add(switch (t) {
                    case Translation.Mapped m -> new WalkData(m.virtual(), w.region(), steps, m.physical(), m.pageSize(), null);
                    case Translation.Unmapped u -> new WalkData(u.virtual(), w.region(), steps, null, null, u.reason());
                });
            }
            return out;
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("vtop", raw, Set.of("-u", "-k"), Set.of("-c"));
        if (args.operands().isEmpty()) {
            throw new UsageException("vtop: give a virtual address");
        }
        List<Walk> walks = new ArrayList<>();
        for (String a : args.operands()) {
            long vaddr = Args.address(p, "vtop", a);
            boolean user = args.has("-u") || !args.has("-k") && !KernelLayout.kernelHalf(vaddr);
            PageTables tables = user ? (PageTables) CurrentContext.userSpace(p, "vtop", args.value("-c").or(session::pid)) : p.kernel();
            Translation t = tables.walk(vaddr);
            String pageLine = t instanceof Translation.Mapped m ? pageLine(p, m.physical() >>> 12) : null;
            // crash names the kernel's top table by its symbol address, a process's by its direct-map one.
            long top = !user && p.symbols().lookup("init_top_pgt").isPresent()
                    && p.layout().imagePhysical(p.symbols().lookup("init_top_pgt").get().address()) == tables.root()
                    ? p.symbols().lookup("init_top_pgt").get().address() : p.layout().directMap(tables.root());
            walks.add(new Walk(t, top, user ? "user" : p.layout().region(vaddr), pageLine));
        }
        return new Walks(walks);
    }

    /** The {@code struct page} of a frame, as crash's vtop shows it; null when the dump has no page map (no types, no vmemmap). */
    private static String pageLine(Program p, long pfn) {
        if (p.layout().vmemmapBase() == 0) {
            return null;
        }
        PageMap map;
        try {
            map = PageMap.of(p);
        } catch (TypeException e) {
            return null;
        }
        try {
            PageMap.Page page = map.page(pfn);
            return String.format("%x %8x %16x %5d %x", page.address(), pfn << 12, page.mapping(), page.count(), page.flags());
        } catch (MemoryFault f) {
            return String.format("%x %8x  (struct page unreadable: %s)", map.pageOf(pfn), pfn << 12, f.reason());
        }
    }
}
