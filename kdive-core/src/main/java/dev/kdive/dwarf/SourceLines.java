package dev.kdive.dwarf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Code address to source: the function, file and line, and the chain of inlined calls that put the
 * code there, innermost first, as {@code addr2line -f -i} prints it. The unit comes from
 * .debug_aranges; only that unit's DIEs are read, and subtrees not covering the address are skipped.
 */
public final class SourceLines {
    private final Dwarf dwarf;
    private final java.util.function.LongFunction<String> symbols;

    /** One frame: a function and where in the source it is at this address ({@code line} 0 when unknown). */
    public record Frame(String function, String file, int line, int discriminator) {
        /**
         * {@return binutils' "FILE:LINE" with " (discriminator N)" when there is one: "??:?" for a
         * known function without line information, "??:0" when nothing at all is known}
         */
        public String location() {
            if (file == null && line == 0 && function.equals("??")) {
                return "??:0";
            }
            return (file == null ? "??" : file) + ":" + (line == 0 ? "?" : Integer.toString(line))
                    + (discriminator != 0 ? " (discriminator " + discriminator + ")" : "");
        }
    }

    /**
     * @param symbols the function symbol covering an address, or null: what addr2line falls back to
     *                when no DWARF subprogram covers it (assembly without debug info for functions)
     */
    public SourceLines(Dwarf dwarf, java.util.function.LongFunction<String> symbols) {
        this.dwarf = dwarf;
        this.symbols = symbols;
    }

    /** {@return the frames at {@code address}, innermost inlined function first; one "??" frame when nothing is known} */
    public List<Frame> frames(long address) {
        Optional<Unit> unit = dwarf.unitFor(address);
        if (unit.isEmpty()) {
            return List.of(new Frame(symbol(address), null, 0, 0));
        }
        Unit u = unit.get();
        LineTable lines = u.stmtList >= 0 ? dwarf.lineTable(u, u.stmtList) : null;
        List<Die> chain = new ArrayList<>();
        if (u.root().hasChildren()) {
            scan(u, u.root().next(), address, chain, 0);
        }
        List<Frame> frames = new ArrayList<>();
        LineTable.Row row = lines == null ? null : lines.lookup(address);
        String file = row == null ? null : lines.file(row.file());
        int line = row == null ? 0 : row.line();
        int discriminator = row == null ? 0 : row.discriminator();
        if (chain.isEmpty()) {
            return List.of(new Frame(symbol(address), file, line, discriminator));
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            Die d = chain.get(i);
            String name = dwarf.name(u, d);
            frames.add(new Frame(name == null ? "??" : name, file, line, discriminator));
            if (d.tag() == Dwarf.TAG_INLINED_SUBROUTINE) {
                int callFile = (int) d.number(Dwarf.AT_CALL_FILE, -1);
                file = lines == null || callFile < 0 ? null : lines.file(callFile);
                line = (int) d.number(Dwarf.AT_CALL_LINE, 0);
                // binutils' addr2line prints the line-table row's discriminator on every frame of
                // the chain; kept so the output is the one users diff against.
            }
        }
        return frames;
    }

    private String symbol(long address) {
        String s = symbols.apply(address);
        return s == null ? "??" : s;
    }

    /** Walks a sibling list; descends into the one subprogram, inlined call or block covering the address. */
    private void scan(Unit u, long p, long address, List<Die> chain, int depth) {
        if (depth > 256) {
            throw new DwarfException(".debug_info", p, "DIE nesting under 256 levels");
        }
        while (p < u.end) {
            Die raw = u.walk(p);
            int tag = raw.tag();
            if (tag == 0) {
                return;
            }
            if (tag == Dwarf.TAG_SUBPROGRAM || tag == Dwarf.TAG_INLINED_SUBROUTINE || tag == Dwarf.TAG_LEXICAL_BLOCK) {
                Die d = u.die(p);
                List<long[]> ranges = dwarf.ranges(u, d);
                boolean covers = false;
                for (long[] r : ranges) {
                    if (Long.compareUnsigned(address, r[0]) >= 0 && Long.compareUnsigned(address, r[1]) < 0) {
                        covers = true;
                        break;
                    }
                }
                if (covers || ranges.isEmpty() && tag == Dwarf.TAG_LEXICAL_BLOCK) {
                    int before = chain.size();
                    if (covers && tag != Dwarf.TAG_LEXICAL_BLOCK) {
                        chain.add(d);
                    }
                    if (d.hasChildren()) {
                        scan(u, d.next(), address, chain, depth + 1);
                    }
                    if (covers) {
                        return;
                    }
                    if (chain.size() > before) {
                        return;
                    }
                }
                p = u.skipChildren(raw);
            } else {
                p = u.skipChildren(raw);
            }
        }
    }
}
