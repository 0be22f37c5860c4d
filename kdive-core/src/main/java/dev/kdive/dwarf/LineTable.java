package dev.kdive.dwarf;

import java.util.ArrayList;
import java.util.List;

/**
 * A unit's line-number program run to completion (DWARF 5, 6.2; DWARF 4, 6.2): rows of address,
 * file, line and discriminator, in sequences. Paths are built as binutils' addr2line builds them:
 * an absolute directory as it is, a relative one under directory 0 (the compilation directory).
 */
public final class LineTable {
    /** One row; {@code end} marks the first address past a sequence. */
    public record Row(long address, int file, int line, int discriminator, boolean end) {}

    private final List<String> files;
    private final long[] addresses;
    private final Row[] rows;

    private LineTable(List<String> files, List<Row> rows) {
        this.files = files;
        // Sequences sorted by start address, rows kept in order inside each.
        List<List<Row>> seqs = new ArrayList<>();
        List<Row> cur = new ArrayList<>();
        for (Row r : rows) {
            cur.add(r);
            if (r.end()) {
                seqs.add(cur);
                cur = new ArrayList<>();
            }
        }
        seqs.sort((a, b) -> Long.compareUnsigned(a.getFirst().address(), b.getFirst().address()));
        List<Row> sorted = new ArrayList<>();
        seqs.forEach(sorted::addAll);
        this.rows = sorted.toArray(Row[]::new);
        this.addresses = sorted.stream().mapToLong(Row::address).toArray();
    }

    /** {@return the file path of a file index} */
    public String file(int index) {
        return index >= 0 && index < files.size() ? files.get(index) : "??";
    }

    /** {@return the row covering {@code address}: the last row at or below it, in a sequence that has not ended} */
    public Row lookup(long address) {
        int lo = 0;
        int hi = rows.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (hi < 0 || rows[hi].end()) {
            return null;
        }
        return rows[hi];
    }

    static LineTable read(Dwarf d, Unit u, long offset) {
        Cursor c = new Cursor(".debug_line", d.line, offset);
        Cursor.Length l = c.initialLength();
        int offsetSize = l.offsetSize();
        long end = c.pos + l.length();
        int version = c.u16();
        int addressSize = u.addressSize;
        if (version >= 5) {
            addressSize = c.u8();
            c.u8(); // segment selector size
        }
        long headerLength = c.offset(offsetSize);
        long program = c.pos + headerLength;
        int minInst = c.u8();
        if (version >= 4) {
            c.u8(); // maximum operations per instruction (VLIW only)
        }
        boolean defaultIsStmt = c.u8() != 0;
        int lineBase = (byte) c.u8();
        int lineRange = c.u8();
        int opcodeBase = c.u8();
        int[] argCounts = new int[opcodeBase];
        for (int i = 1; i < opcodeBase; i++) {
            argCounts[i] = c.u8();
        }
        if (lineRange == 0) {
            throw new DwarfException(".debug_line", offset, "a non-zero line_range");
        }
        List<String> dirs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        if (version >= 5) {
            for (String[] e : entries(c, u, offsetSize)) {
                dirs.add(e[0]);
            }
            String dir0 = dirs.isEmpty() ? u.compDir : dirs.getFirst();
            for (String[] e : entries(c, u, offsetSize)) {
                int di = e[1] == null ? 0 : Integer.parseInt(e[1]);
                files.add(path(dir0, di, di < dirs.size() ? dirs.get(di) : null, e[0]));
            }
        } else {
            dirs.add(u.compDir);
            while (true) {
                String dir = c.cstring();
                if (dir.isEmpty()) {
                    break;
                }
                dirs.add(dir);
            }
            files.add(null); // DWARF 4 file numbers start at 1
            while (true) {
                String name = c.cstring();
                if (name.isEmpty()) {
                    break;
                }
                int di = (int) c.uleb();
                c.uleb();
                c.uleb();
                files.add(path(dirs.getFirst(), di, di < dirs.size() ? dirs.get(di) : null, name));
            }
        }
        c.pos = program;
        List<Row> rows = new ArrayList<>();
        long address = 0;
        int file = 1;
        int line = 1;
        int discriminator = 0;
        boolean isStmt = defaultIsStmt;
        while (c.pos < end) {
            int op = c.u8();
            if (op >= opcodeBase) {
                int adj = op - opcodeBase;
                address += (long) (adj / lineRange) * minInst;
                line += lineBase + adj % lineRange;
                rows.add(new Row(address, file, line, discriminator, false));
                discriminator = 0;
                continue;
            }
            switch (op) {
                case 0 -> {
                    long n = c.uleb();
                    long next = c.pos + n;
                    int sub = n == 0 ? 0 : c.u8();
                    switch (sub) {
                        case 1 -> {
                            rows.add(new Row(address, file, line, discriminator, true));
                            address = 0;
                            file = 1;
                            line = 1;
                            discriminator = 0;
                            isStmt = defaultIsStmt;
                        }
                        case 2 -> address = c.sized(addressSize);
                        case 4 -> discriminator = (int) c.uleb();
                        default -> { } // DW_LNE_define_file and vendor extensions: skipped by length
                    }
                    c.pos = next;
                }
                case 1 -> {
                    rows.add(new Row(address, file, line, discriminator, false));
                    discriminator = 0;
                }
                case 2 -> address += c.uleb() * minInst;
                case 3 -> line += (int) c.sleb();
                case 4 -> file = (int) c.uleb();
                case 5 -> c.uleb();
                case 6 -> isStmt = !isStmt;
                case 7, 10, 11 -> { }
                case 8 -> address += (long) ((255 - opcodeBase) / lineRange) * minInst;
                case 9 -> address += c.u16();
                case 12 -> c.uleb();
                default -> {
                    for (int i = 0; i < argCounts[op]; i++) {
                        c.uleb();
                    }
                }
            }
        }
        return new LineTable(files, rows);
    }

    /** A directory or file entry list of a DWARF 5 header: [path, directory index] per entry. */
    private static List<String[]> entries(Cursor c, Unit u, int offsetSize) {
        int formatCount = c.u8();
        int[] types = new int[formatCount];
        int[] forms = new int[formatCount];
        for (int i = 0; i < formatCount; i++) {
            types[i] = (int) c.uleb();
            forms[i] = (int) c.uleb();
        }
        long count = c.uleb();
        List<String[]> out = new ArrayList<>();
        for (long n = 0; n < count; n++) {
            String[] e = new String[2];
            for (int i = 0; i < formatCount; i++) {
                Object v = switch (forms[i]) {
                    case Forms.LINE_STRP -> Cursor.cstringAt(".debug_line_str", u.dwarf.lineStr, c.offset(offsetSize));
                    case Forms.STRP -> Cursor.cstringAt(".debug_str", u.dwarf.str, c.offset(offsetSize));
                    case Forms.STRING -> c.cstring();
                    case Forms.UDATA -> c.uleb();
                    case Forms.DATA1 -> (long) c.u8();
                    case Forms.DATA2 -> (long) c.u16();
                    case Forms.DATA4 -> c.u32();
                    case Forms.DATA8 -> c.u64();
                    case Forms.DATA16 -> {
                        c.skip(16);
                        yield null;
                    }
                    case Forms.BLOCK -> {
                        c.skip(c.uleb());
                        yield null;
                    }
                    default -> throw new DwarfException(".debug_line", c.pos, "a line-table entry form, found 0x"
                            + Integer.toHexString(forms[i]));
                };
                if (types[i] == 1) { // DW_LNCT_path
                    e[0] = (String) v;
                } else if (types[i] == 2 && v != null) { // DW_LNCT_directory_index
                    e[1] = Long.toString((Long) v);
                }
            }
            out.add(e);
        }
        return out;
    }

    private static String path(String dir0, int index, String dir, String name) {
        if (name == null) {
            return "??";
        }
        if (name.startsWith("/")) {
            return name;
        }
        if (dir == null) {
            return name;
        }
        if (dir.startsWith("/") || index == 0 || dir0 == null) {
            return dir + "/" + name;
        }
        return dir0 + "/" + dir + "/" + name;
    }
}
