package dev.kdive.dwarf;

import dev.kdive.dump.DumpFormatException;
import dev.kdive.elf.ElfFile;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DWARF 4 and 5 debugging information of one ELF file (DWARF 5 standard, sections 6 and 7):
 * units found by their headers, abbreviation tables and DIEs decoded on demand, address ranges
 * from .debug_aranges. Nothing is read until a question needs it.
 */
public final class Dwarf {
    // Tags and attributes used here (DWARF 5, 7.5.3 and 7.5.4).
    static final int TAG_COMPILE_UNIT = 0x11;
    static final int TAG_PARTIAL_UNIT = 0x3c;
    static final int TAG_SUBPROGRAM = 0x2e;
    static final int TAG_INLINED_SUBROUTINE = 0x1d;
    static final int TAG_LEXICAL_BLOCK = 0x0b;
    static final int AT_SIBLING = 0x01;
    static final int AT_NAME = 0x03;
    static final int AT_STMT_LIST = 0x10;
    static final int AT_LOW_PC = 0x11;
    static final int AT_HIGH_PC = 0x12;
    static final int AT_COMP_DIR = 0x1b;
    static final int AT_ABSTRACT_ORIGIN = 0x31;
    static final int AT_SPECIFICATION = 0x47;
    static final int AT_RANGES = 0x55;
    static final int AT_CALL_FILE = 0x58;
    static final int AT_CALL_LINE = 0x59;
    static final int AT_LINKAGE_NAME = 0x6e;
    static final int AT_STR_OFFSETS_BASE = 0x72;
    static final int AT_ADDR_BASE = 0x73;
    static final int AT_RNGLISTS_BASE = 0x74;

    final ElfFile elf;
    final MemorySegment info;
    final MemorySegment abbrev;
    final MemorySegment str;
    final MemorySegment lineStr;
    final MemorySegment strOffsets;
    final MemorySegment addr;
    final MemorySegment rnglists;
    final MemorySegment ranges;
    final MemorySegment line;
    private final MemorySegment aranges;
    private long[] unitOffsets;
    private long[] arangeStart;
    private long[] arangeEnd;
    private long[] arangeUnit;
    private final Map<Long, Map<Long, Abbrev>> abbrevTables = new ConcurrentHashMap<>();
    private final Map<Long, Unit> units = new ConcurrentHashMap<>();
    private final Map<Long, LineTable> lineTables = new ConcurrentHashMap<>();

    private Dwarf(ElfFile elf) throws DumpFormatException {
        this.elf = elf;
        this.info = section(elf, ".debug_info");
        this.abbrev = section(elf, ".debug_abbrev");
        this.str = section(elf, ".debug_str");
        this.lineStr = section(elf, ".debug_line_str");
        this.strOffsets = section(elf, ".debug_str_offsets");
        this.addr = section(elf, ".debug_addr");
        this.rnglists = section(elf, ".debug_rnglists");
        this.ranges = section(elf, ".debug_ranges");
        this.line = section(elf, ".debug_line");
        this.aranges = section(elf, ".debug_aranges");
    }

    /** {@return the DWARF of an ELF file, or empty when it has no .debug_info} */
    public static Optional<Dwarf> of(ElfFile elf) throws DumpFormatException {
        if (elf.section(".debug_info").isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Dwarf(elf));
    }

    /** A module's (ET_REL) debug sections need their relocations applied: they are copied and patched. */
    private static MemorySegment section(ElfFile elf, String name) throws DumpFormatException {
        Optional<ElfFile.Section> s = elf.section(name);
        return s.isPresent() ? elf.relocatedContents(s.get()) : MemorySegment.ofArray(new byte[0]);
    }

    /** One abbreviation: a tag and its attribute specifications (name, form, implicit constant). */
    record Abbrev(int tag, boolean children, int[] names, int[] forms, long[] constants) {}

    Map<Long, Abbrev> abbrevs(long offset) {
        return abbrevTables.computeIfAbsent(offset, o -> {
            Map<Long, Abbrev> table = new HashMap<>();
            Cursor c = new Cursor(".debug_abbrev", abbrev, o);
            while (true) {
                long code = c.uleb();
                if (code == 0) {
                    return table;
                }
                int tag = (int) c.uleb();
                boolean children = c.u8() != 0;
                List<int[]> specs = new ArrayList<>();
                List<Long> consts = new ArrayList<>();
                while (true) {
                    int name = (int) c.uleb();
                    int form = (int) c.uleb();
                    if (name == 0 && form == 0) {
                        break;
                    }
                    consts.add(form == Forms.IMPLICIT_CONST ? c.sleb() : 0L);
                    specs.add(new int[] {name, form});
                }
                int[] names = new int[specs.size()];
                int[] forms = new int[specs.size()];
                long[] k = new long[specs.size()];
                for (int i = 0; i < names.length; i++) {
                    names[i] = specs.get(i)[0];
                    forms[i] = specs.get(i)[1];
                    k[i] = consts.get(i);
                }
                table.put(code, new Abbrev(tag, children, names, forms, k));
            }
        });
    }

    /** {@return the offsets of every unit header in .debug_info, found by skipping unit lengths} */
    synchronized long[] unitOffsets() {
        if (unitOffsets == null) {
            List<Long> offs = new ArrayList<>();
            Cursor c = new Cursor(".debug_info", info, 0);
            while (c.pos < info.byteSize()) {
                long start = c.pos;
                long len = c.initialLength().length();
                if (len == 0) {
                    break;
                }
                offs.add(start);
                c.pos += len;
            }
            unitOffsets = offs.stream().mapToLong(Long::longValue).toArray();
        }
        return unitOffsets;
    }

    /** {@return the unit whose header starts at {@code offset}} */
    public Unit unit(long offset) {
        return units.computeIfAbsent(offset, o -> Unit.read(this, o));
    }

    /** {@return the unit containing a .debug_info offset (for references across units)} */
    public Unit unitContaining(long dieOffset) {
        long[] offs = unitOffsets();
        int i = Arrays.binarySearch(offs, dieOffset);
        if (i < 0) {
            i = -i - 2;
        }
        if (i < 0) {
            throw new DwarfException(".debug_info", dieOffset, "an offset inside a unit");
        }
        return unit(offs[i]);
    }

    LineTable lineTable(Unit u, long offset) {
        return lineTables.computeIfAbsent(offset, o -> LineTable.read(this, u, o));
    }

    /** {@return the unit .debug_aranges says covers {@code address}, if any} */
    public Optional<Unit> unitFor(long address) {
        readAranges();
        int lo = 0;
        int hi = arangeStart.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(arangeStart[mid], address) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // Ranges may nest or touch: look back a little for one that covers the address.
        for (int i = hi; i >= 0 && i > hi - 8; i--) {
            if (Long.compareUnsigned(address, arangeStart[i]) >= 0 && Long.compareUnsigned(address, arangeEnd[i]) < 0) {
                return Optional.of(unit(arangeUnit[i]));
            }
        }
        return Optional.empty();
    }

    /** .debug_aranges (DWARF 5, 6.1.2): per unit, a header and (address, length) tuples. */
    private synchronized void readAranges() {
        if (arangeStart != null) {
            return;
        }
        List<long[]> all = new ArrayList<>();
        Cursor c = new Cursor(".debug_aranges", aranges, 0);
        while (c.pos < aranges.byteSize()) {
            long start = c.pos;
            Cursor.Length l = c.initialLength();
            int offsetSize = l.offsetSize();
            long end = c.pos + l.length();
            c.u16(); // version 2
            long unit = c.offset(offsetSize);
            int addrSize = c.u8();
            c.u8(); // segment selector size
            long tuple = 2L * addrSize;
            long header = c.pos - start;
            c.pos = start + (header + tuple - 1) / tuple * tuple; // tuples are aligned to their size
            while (c.pos + tuple <= end) {
                long a = c.sized(addrSize);
                long n = c.sized(addrSize);
                if (a == 0 && n == 0) {
                    break;
                }
                all.add(new long[] {a, a + n, unit});
            }
            c.pos = end;
        }
        all.sort((x, y) -> Long.compareUnsigned(x[0], y[0]));
        long[] s = new long[all.size()];
        long[] e = new long[all.size()];
        long[] u = new long[all.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = all.get(i)[0];
            e[i] = all.get(i)[1];
            u[i] = all.get(i)[2];
        }
        arangeEnd = e;
        arangeUnit = u;
        arangeStart = s;
    }

    /** {@return the address ranges of a DIE: low/high pc, or its DW_AT_ranges list} */
    List<long[]> ranges(Unit u, Die d) {
        Object low = d.get(AT_LOW_PC);
        Object high = d.get(AT_HIGH_PC);
        if (low instanceof Long lo && high instanceof Long hi) {
            boolean offsetForm = u.highPcIsOffset(d);
            return List.of(new long[] {lo, offsetForm ? lo + hi : hi});
        }
        Object r = d.get(AT_RANGES);
        if (r == null) {
            return List.of();
        }
        return u.rangeList(r, d);
    }

    /** {@return a DIE's name, through DW_AT_abstract_origin and DW_AT_specification as addr2line does} */
    String name(Unit u, Die d) {
        for (int depth = 0; d != null && depth < 16; depth++) {
            String n = d.string(AT_NAME);
            if (n != null) {
                return n;
            }
            Object ref = d.get(AT_ABSTRACT_ORIGIN);
            if (ref == null) {
                ref = d.get(AT_SPECIFICATION);
            }
            if (!(ref instanceof Long)) {
                return null;
            }
            long off = u.reference(ref);
            u = unitContaining(off);
            d = u.die(off);
        }
        return null;
    }

    /** Summary of what is indexed, for users. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("units", unitOffsets().length);
        m.put("debug_info_bytes", info.byteSize());
        return m;
    }
}
