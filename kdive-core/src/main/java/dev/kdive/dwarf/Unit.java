package dev.kdive.dwarf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One unit of .debug_info (DWARF 5, 7.5.1; DWARF 4, 7.5.1.1): its header, the attributes of its
 * unit DIE that other reads depend on (str_offsets_base, addr_base, rnglists_base, base address,
 * line table), and DIE decoding with this unit's abbreviations.
 */
public final class Unit {
    final Dwarf dwarf;
    final long offset;
    final int version;
    final int offsetSize;
    final int addressSize;
    final long end;
    final long firstDie;
    private final Map<Long, Dwarf.Abbrev> abbrevs;
    long strOffsetsBase;
    long addrBase;
    long rnglistsBase;
    long baseAddress;
    long stmtList = -1;
    String compDir;
    String name;
    private Die root;

    private Unit(Dwarf dwarf, long offset, int version, int offsetSize, int addressSize, long end, long firstDie,
                 Map<Long, Dwarf.Abbrev> abbrevs) {
        this.dwarf = dwarf;
        this.offset = offset;
        this.version = version;
        this.offsetSize = offsetSize;
        this.addressSize = addressSize;
        this.end = end;
        this.firstDie = firstDie;
        this.abbrevs = abbrevs;
    }

    static Unit read(Dwarf d, long offset) {
        Cursor c = new Cursor(".debug_info", d.info, offset);
        Cursor.Length l = c.initialLength();
        int offsetSize = l.offsetSize();
        long end = c.pos + l.length();
        int version = c.u16();
        int addressSize;
        long abbrevOffset;
        if (version >= 5) {
            int type = c.u8();
            addressSize = c.u8();
            abbrevOffset = c.offset(offsetSize);
            if (type == 2 || type == 6) { // DW_UT_type, DW_UT_split_type: signature and type offset
                c.skip(8 + offsetSize);
            } else if (type == 4 || type == 5) { // skeleton, split_compile: dwo id
                c.skip(8);
            }
        } else if (version >= 2) {
            abbrevOffset = c.offset(offsetSize);
            addressSize = c.u8();
        } else {
            throw new DwarfException(".debug_info", offset, "a unit of DWARF version 2 to 5, found " + version);
        }
        Unit u = new Unit(d, offset, version, offsetSize, addressSize, end, c.pos, d.abbrevs(abbrevOffset));
        // The unit DIE carries the bases its attributes are read against: read it raw first.
        Die root = u.dieRaw(u.firstDie);
        u.strOffsetsBase = root.number(Dwarf.AT_STR_OFFSETS_BASE, version >= 5 ? 8 : 0);
        u.addrBase = root.number(Dwarf.AT_ADDR_BASE, 8);
        u.rnglistsBase = root.number(Dwarf.AT_RNGLISTS_BASE, 0);
        u.root = u.die(u.firstDie);
        u.baseAddress = u.root.number(Dwarf.AT_LOW_PC, 0);
        u.stmtList = u.root.number(Dwarf.AT_STMT_LIST, -1);
        u.compDir = u.root.string(Dwarf.AT_COMP_DIR);
        u.name = u.root.string(Dwarf.AT_NAME);
        return u;
    }

    public Die root() {
        return root;
    }

    public String name() {
        return name;
    }

    /** {@return the DIE at a .debug_info offset inside this unit, attributes resolved} */
    public Die die(long at) {
        return decode(at, true);
    }

    private Die dieRaw(long at) {
        return decode(at, false);
    }

    /** A null entry (abbreviation code 0) ends a sibling list: returned with tag 0. */
    private Die decode(long at, boolean resolve) {
        Cursor c = new Cursor(".debug_info", dwarf.info, at);
        long code = c.uleb();
        if (code == 0) {
            return new Die(at, 0, false, Map.of(), c.pos);
        }
        Dwarf.Abbrev a = abbrevs.get(code);
        if (a == null) {
            throw new DwarfException(".debug_info", at, "an abbreviation code of unit 0x" + Long.toHexString(offset)
                    + ", found " + code);
        }
        Map<Integer, Object> attrs = new HashMap<>(a.names().length * 2);
        for (int i = 0; i < a.names().length; i++) {
            Object v = value(c, a.forms()[i], a.constants()[i], resolve);
            if (v != null) {
                attrs.put(a.names()[i], v);
            }
        }
        return new Die(at, a.tag(), a.children(), attrs, c.pos);
    }

    /** Reads one attribute value; index forms (strx, addrx) are looked up when {@code resolve}. */
    private Object value(Cursor c, int form, long constant, boolean resolve) {
        return switch (form) {
            case Forms.ADDR -> c.sized(addressSize);
            case Forms.DATA1, Forms.REF1, Forms.FLAG -> (long) c.u8();
            case Forms.DATA2, Forms.REF2 -> (long) c.u16();
            case Forms.DATA4, Forms.REF4 -> c.u32();
            case Forms.DATA8, Forms.REF8, Forms.REF_SIG8 -> c.u64();
            case Forms.DATA16 -> {
                c.skip(16);
                yield null;
            }
            case Forms.SDATA -> c.sleb();
            case Forms.UDATA, Forms.REF_UDATA -> c.uleb();
            case Forms.STRING -> c.cstring();
            case Forms.STRP -> Cursor.cstringAt(".debug_str", dwarf.str, c.offset(offsetSize));
            case Forms.LINE_STRP -> Cursor.cstringAt(".debug_line_str", dwarf.lineStr, c.offset(offsetSize));
            case Forms.STRP_SUP, Forms.GNU_STRP_ALT, Forms.REF_SUP4 -> {
                c.offset(form == Forms.REF_SUP4 ? 4 : offsetSize);
                yield null; // a supplementary file kdive is not given
            }
            case Forms.REF_SUP8 -> {
                c.u64();
                yield null;
            }
            case Forms.GNU_REF_ALT -> {
                c.offset(offsetSize);
                yield null;
            }
            case Forms.REF_ADDR -> c.offset(version <= 2 ? addressSize : offsetSize) | Long.MIN_VALUE; // marked absolute
            case Forms.SEC_OFFSET -> c.offset(offsetSize);
            case Forms.EXPRLOC, Forms.BLOCK -> block(c, c.uleb());
            case Forms.BLOCK1 -> block(c, c.u8());
            case Forms.BLOCK2 -> block(c, c.u16());
            case Forms.BLOCK4 -> block(c, c.u32());
            case Forms.FLAG_PRESENT -> 1L;
            case Forms.IMPLICIT_CONST -> constant;
            case Forms.STRX, Forms.GNU_STR_INDEX -> str(c.uleb(), resolve);
            case Forms.STRX1 -> str(c.u8(), resolve);
            case Forms.STRX2 -> str(c.u16(), resolve);
            case Forms.STRX3 -> str(c.u24(), resolve);
            case Forms.STRX4 -> str(c.u32(), resolve);
            case Forms.ADDRX, Forms.GNU_ADDR_INDEX -> addr(c.uleb(), resolve);
            case Forms.ADDRX1 -> addr(c.u8(), resolve);
            case Forms.ADDRX2 -> addr(c.u16(), resolve);
            case Forms.ADDRX3 -> addr(c.u24(), resolve);
            case Forms.ADDRX4 -> addr(c.u32(), resolve);
            case Forms.LOCLISTX -> c.uleb();
            case Forms.RNGLISTX -> new RangeIndex(c.uleb());
            case Forms.INDIRECT -> value(c, (int) c.uleb(), constant, resolve);
            default -> throw new DwarfException(".debug_info", c.pos, "a known attribute form, found 0x" + Integer.toHexString(form));
        };
    }

    /** A DW_FORM_rnglistx index, resolved through rnglists_base when the ranges are read. */
    record RangeIndex(long index) {}

    /** Small blocks are kept (DW_OP_plus_uconst member locations); large ones (location lists) skipped. */
    private static byte[] block(Cursor c, long n) {
        if (n <= 16) {
            byte[] b = new byte[(int) n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) c.u8();
            }
            return b;
        }
        c.skip(n);
        return null;
    }

    private Object str(long index, boolean resolve) {
        if (!resolve) {
            return null;
        }
        Cursor c = new Cursor(".debug_str_offsets", dwarf.strOffsets, strOffsetsBase + index * offsetSize);
        return Cursor.cstringAt(".debug_str", dwarf.str, c.offset(offsetSize));
    }

    private Object addr(long index, boolean resolve) {
        if (!resolve) {
            return null;
        }
        return new Cursor(".debug_addr", dwarf.addr, addrBase + index * addressSize).sized(addressSize);
    }

    /** {@return whether DW_AT_high_pc is a length (a constant form) rather than an address} */
    boolean highPcIsOffset(Die d) {
        // Re-read the abbreviation: DWARF 4+ writes high_pc as a constant offset from low_pc.
        Cursor c = new Cursor(".debug_info", dwarf.info, d.offset());
        Dwarf.Abbrev a = abbrevs.get(c.uleb());
        for (int i = 0; i < a.names().length; i++) {
            if (a.names()[i] == Dwarf.AT_HIGH_PC) {
                int f = a.forms()[i];
                return f != Forms.ADDR && f != Forms.ADDRX && f != Forms.ADDRX1 && f != Forms.ADDRX2
                        && f != Forms.ADDRX3 && f != Forms.ADDRX4 && f != Forms.GNU_ADDR_INDEX;
            }
        }
        return false;
    }

    /** {@return the [start, end) pairs of a DW_AT_ranges value: .debug_rnglists (5) or .debug_ranges (4)} */
    List<long[]> rangeList(Object value, Die d) {
        List<long[]> out = new ArrayList<>();
        if (version < 5) {
            Cursor c = new Cursor(".debug_ranges", dwarf.ranges, (Long) value);
            long base = baseAddress;
            while (true) {
                long a = c.sized(addressSize);
                long b = c.sized(addressSize);
                if (a == 0 && b == 0) {
                    return out;
                }
                if (a == -1L) {
                    base = b;
                } else {
                    out.add(new long[] {base + a, base + b});
                }
            }
        }
        long at;
        if (value instanceof RangeIndex ri) {
            at = rnglistsBase + new Cursor(".debug_rnglists", dwarf.rnglists, rnglistsBase + ri.index() * offsetSize).offset(offsetSize);
        } else {
            at = (Long) value;
        }
        Cursor c = new Cursor(".debug_rnglists", dwarf.rnglists, at);
        long base = baseAddress;
        while (true) {
            int kind = c.u8();
            switch (kind) {
                case 0 -> {
                    return out;
                }
                case 1 -> base = (Long) addr(c.uleb(), true);
                case 2 -> out.add(new long[] {(Long) addr(c.uleb(), true), (Long) addr(c.uleb(), true)});
                case 3 -> {
                    long s = (Long) addr(c.uleb(), true);
                    out.add(new long[] {s, s + c.uleb()});
                }
                case 4 -> {
                    long s = c.uleb();
                    long e = c.uleb();
                    out.add(new long[] {base + s, base + e});
                }
                case 5 -> base = c.sized(addressSize);
                case 6 -> out.add(new long[] {c.sized(addressSize), c.sized(addressSize)});
                case 7 -> {
                    long s = c.sized(addressSize);
                    out.add(new long[] {s, s + c.uleb()});
                }
                default -> throw new DwarfException(".debug_rnglists", c.pos - 1, "a DW_RLE_* kind 0..7, found " + kind);
            }
        }
    }

    /** {@return the offset just past a DIE and all its descendants} */
    long skipChildren(Die d) {
        if (!d.hasChildren()) {
            return d.next();
        }
        Object sibling = d.get(Dwarf.AT_SIBLING);
        if (sibling instanceof Long) {
            long s = reference(sibling);
            if (s > d.offset() && s < end) {
                return s;
            }
        }
        long p = d.next();
        while (true) {
            Die child = dieRaw(p);
            if (child.tag() == 0) {
                return child.next();
            }
            p = skipChildren(child);
        }
    }

    /** {@return the offset of the first child of the unit DIE} */
    public long firstChild() {
        return root.next();
    }

    /** Raw decode used for walking: cheaper, index forms left unresolved. */
    Die walk(long at) {
        return dieRaw(at);
    }

    /** Reference values: unit-relative forms become section offsets; ref_addr is already absolute. */
    long reference(Object v) {
        long r = (Long) v;
        return r < 0 ? r & Long.MAX_VALUE : offset + r;
    }
}
