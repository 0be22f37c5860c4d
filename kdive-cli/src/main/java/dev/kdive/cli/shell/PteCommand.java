package dev.kdive.cli.shell;

import dev.kdive.arch.x86_64.PageTables;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code pte ENTRY…}: what a page-table entry's bits say: the physical page and flags, a swap entry, or nothing. */
final class PteCommand implements ShellCommand {
    @Override
    public String name() {
        return "pte";
    }

    @Override
    public String synopsis() {
        return "pte ENTRY…                 a page-table entry decoded: physical page and flags, or swap type and offset";
    }

    @Override
    public String example() {
        return "pte 8000000012345067       12345000  (PRESENT|RW|USER|ACCESSED|DIRTY|NX)";
    }

    record Entries(List<PageTables.Entry> entries) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (PageTables.Entry e : entries) {
                switch (e) {
                    case PageTables.Entry.None n -> row(out, "0", "0", "PHYSICAL", "(no mapping)");
                    case PageTables.Entry.Present pr -> row(out, Long.toHexString(pr.entry()), Long.toHexString(pr.physical()), "PHYSICAL",
                            "(" + pr.flags() + ")");
                    case PageTables.Entry.Swap s -> row(out, Long.toHexString(s.entry()), "type " + s.type(), "SWAP",
                            "offset " + s.offset() + " (not present: a swap entry)");
                }
            }
        }

        /** crash's layout: each column as wide as its widest word, titles centred over it. */
        private static void row(PrintWriter out, String entry, String second, String title, String rest) {
            int w1 = Math.max(entry.length(), 3);
            int w2 = Math.max(second.length(), title.length());
            out.println(Text.centre("PTE", w1, false) + "  " + Text.centre(title, w2, false) + "  " + (title.equals("SWAP") ? "OFFSET" : "FLAGS"));
            out.println(Text.centre(entry, w1, true) + "  " + Text.centre(second, w2, true) + "  " + rest);
        }

        @Override
        public Object json() {
            return entries;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("pte: give a page-table entry in hex");
        }
        List<PageTables.Entry> out = new ArrayList<>();
        for (String a : args) {
            if (!Args.looksHex(a)) {
                throw new UsageException("pte: not a hex page-table entry: " + a);
            }
            out.add(PageTables.decode(Args.address(p, "pte", a)));
        }
        return new Entries(out);
    }
}
