package dev.kdive.dwarf;

import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import dev.kdive.types.TypeRef;
import dev.kdive.types.TypeTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Types from DWARF (DWARF 5, 5.1-5.7), in the same model as BTF's: a type's id is its DIE's
 * .debug_info offset. Names are indexed once from every unit's top-level DIEs, units in parallel;
 * a struct declared but not defined in one unit is looked up by name among the definitions.
 */
public final class DwarfTypes implements TypeTable {
    private static final int BASE_TYPE = 0x24;
    private static final int POINTER = 0x0f;
    private static final int STRUCT = 0x13;
    private static final int UNION = 0x17;
    private static final int CLASS = 0x02;
    private static final int MEMBER = 0x0d;
    private static final int ARRAY = 0x01;
    private static final int SUBRANGE = 0x21;
    private static final int TYPEDEF = 0x16;
    private static final int CONST = 0x26;
    private static final int VOLATILE = 0x35;
    private static final int RESTRICT = 0x37;
    private static final int ATOMIC = 0x47;
    private static final int ENUM = 0x04;
    private static final int ENUMERATOR = 0x28;
    private static final int SUBROUTINE = 0x15;
    private static final int PARAMETER = 0x05;
    private static final int UNSPECIFIED_PARAMETERS = 0x18;
    private static final int UNSPECIFIED_TYPE = 0x3b;
    private static final int VARIABLE = 0x34;
    private static final int AT_BYTE_SIZE = 0x0b;
    private static final int AT_BIT_OFFSET = 0x0c;
    private static final int AT_BIT_SIZE = 0x0d;
    private static final int AT_CONST_VALUE = 0x1c;
    private static final int AT_UPPER_BOUND = 0x2f;
    private static final int AT_COUNT = 0x37;
    private static final int AT_DATA_MEMBER_LOCATION = 0x38;
    private static final int AT_DECLARATION = 0x3c;
    private static final int AT_ENCODING = 0x3e;
    private static final int AT_TYPE = 0x49;
    private static final int AT_DATA_BIT_OFFSET = 0x6b;

    private final Dwarf dwarf;
    private final Optional<java.nio.file.Path> indexFile;
    private final Map<Integer, Type> decoded = new ConcurrentHashMap<>();
    private volatile Map<String, Integer> names;

    /**
     * @param indexFile where the name index is kept between runs (keyed by the file's build-id by
     *                  the caller); read when present, written after the first full scan
     */
    public DwarfTypes(Dwarf dwarf, Optional<java.nio.file.Path> indexFile) {
        this(dwarf, indexFile, message -> { });
    }

    /** @param progress told when the one-time index scan starts and ends (it takes a second or more) */
    public DwarfTypes(Dwarf dwarf, Optional<java.nio.file.Path> indexFile, java.util.function.Consumer<String> progress) {
        this.dwarf = dwarf;
        this.indexFile = indexFile;
        this.progress = progress;
    }

    private final java.util.function.Consumer<String> progress;

    /** {@return the index file for an ELF file: ~/.cache/kdive/dwarf/BUILD-ID.types, when it has a build-id} */
    public static Optional<java.nio.file.Path> defaultIndexFile(dev.kdive.elf.ElfFile elf) {
        try {
            return elf.buildId().map(id -> dev.kdive.dump.UserCache.file("dwarf", id + ".types"));
        } catch (dev.kdive.dump.DumpFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String source() {
        return dwarf.elf.path() + " DWARF";
    }

    @Override
    public Type byId(int id) {
        if (id == 0) {
            return new Type.Void();
        }
        Type t = decoded.get(id);
        if (t == null) {
            t = decode(id);
            decoded.put(id, t);
        }
        return t;
    }

    @Override
    public Optional<Type> lookup(String name) {
        Integer id = index().get(name.strip().replaceAll("\\s+", " "));
        return id == null ? Optional.empty() : Optional.of(byId(id));
    }

    @Override
    public java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(index().keySet());
    }

    /** {@return the type of a global variable, from its DW_TAG_variable (or the declaration it completes)} */
    public Optional<Type> variable(String name) {
        Integer id = index().get("var " + name);
        if (id == null) {
            return Optional.empty();
        }
        Unit u = dwarf.unitContaining(id);
        Die d = u.die(id);
        for (int depth = 0; d != null && depth < 4; depth++) {
            if (d.get(AT_TYPE) != null) {
                return Optional.of(ref(u, d).get());
            }
            Object spec = d.get(Dwarf.AT_SPECIFICATION);
            if (spec == null) {
                break;
            }
            long off = u.reference(spec);
            u = dwarf.unitContaining(off);
            d = u.die(off);
        }
        return Optional.empty();
    }

    /** Named definitions at the top level of every unit: "struct x", "union x", "enum x", typedefs and base types. */
    private Map<String, Integer> index() {
        Map<String, Integer> n = names;
        if (n != null) {
            return n;
        }
        synchronized (this) {
            if (names != null) {
                return names;
            }
            Optional<Map<String, Integer>> cached = readIndex();
            if (cached.isPresent()) {
                names = cached.get();
                return names;
            }
            long[] units = dwarf.unitOffsets();
            long started = System.nanoTime();
            progress.accept("indexing the DWARF types of " + dwarf.elf.path().getFileName() + " (" + units.length
                    + " units, once" + (indexFile.isPresent() ? "; kept in " + indexFile.get() : "") + ")...");
            Thread caller = Thread.currentThread(); // Ctrl-C interrupts the caller; the pool's threads see it here
            List<Map<String, Integer>> parts = IntStream.range(0, units.length).parallel().mapToObj(i -> {
                if (caller.isInterrupted()) {
                    throw new java.util.concurrent.CancellationException("interrupted while indexing " + dwarf.elf.path().getFileName());
                }
                Map<String, Integer> m = new HashMap<>();
                try {
                    Unit u = dwarf.unit(units[i]);
                    if (!u.root().hasChildren()) {
                        return m;
                    }
                    long p = u.firstChild();
                    while (p < u.end) {
                        Die raw = u.walk(p);
                        if (raw.tag() == 0) {
                            break;
                        }
                        String key = key(raw.tag(), null);
                        if (key != null && raw.get(AT_DECLARATION) == null) {
                            Die d = u.die(p);
                            String name = d.string(Dwarf.AT_NAME);
                            if (name != null) {
                                m.putIfAbsent(key(d.tag(), name), (int) p);
                            }
                        } else if (raw.tag() == VARIABLE) {
                            // A global variable: its name may sit on the declaration DW_AT_specification names.
                            Die d = u.die(p);
                            String name = dwarf.name(u, d);
                            if (name != null && (d.get(AT_DECLARATION) == null || !m.containsKey("var " + name))) {
                                m.put("var " + name, (int) p);
                            }
                        }
                        p = u.skipChildren(raw);
                    }
                } catch (DwarfException e) {
                    m.put("!" + units[i], -1); // a broken unit: the others stay usable
                }
                return m;
            }).toList();
            Map<String, Integer> all = new HashMap<>();
            for (Map<String, Integer> m : parts) { // first unit wins, as gdb's first definition does
                m.forEach((k, v) -> {
                    if (!k.startsWith("!")) {
                        all.putIfAbsent(k, v);
                    }
                });
            }
            names = all;
            writeIndex(all);
            progress.accept(String.format("indexed %d type names in %.1f s", all.size(), (System.nanoTime() - started) / 1e9));
            return all;
        }
    }

    /** Index file: one "offset TAB key" line per name, after a header naming the .debug_info size. */
    private Optional<Map<String, Integer>> readIndex() {
        if (indexFile.isEmpty() || !java.nio.file.Files.isRegularFile(indexFile.get())) {
            return Optional.empty();
        }
        try (var in = java.nio.file.Files.newBufferedReader(indexFile.get())) {
            if (!("kdive-dwarf-types 2 " + dwarf.info.byteSize()).equals(in.readLine())) {
                return Optional.empty();
            }
            Map<String, Integer> m = new HashMap<>();
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                int tab = l.indexOf('\t');
                m.put(l.substring(tab + 1), Integer.parseInt(l, 0, tab, 10));
            }
            return Optional.of(m);
        } catch (java.io.IOException | NumberFormatException | IndexOutOfBoundsException e) {
            return Optional.empty(); // a damaged cache is rebuilt
        }
    }

    private void writeIndex(Map<String, Integer> m) {
        if (indexFile.isEmpty()) {
            return;
        }
        try {
            java.nio.file.Path f = indexFile.get();
            java.nio.file.Files.createDirectories(f.getParent());
            java.nio.file.Path part = java.nio.file.Files.createTempFile(f.getParent(), "types", ".part");
            try (var out = java.nio.file.Files.newBufferedWriter(part)) {
                out.write("kdive-dwarf-types 2 " + dwarf.info.byteSize() + "\n");
                for (var e : m.entrySet()) {
                    out.write(e.getValue() + "\t" + e.getKey() + "\n");
                }
            }
            java.nio.file.Files.move(part, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            // no cache this time: the next start scans again
        }
    }

    /** {@return the look-up key of a named type DIE; with a null name, whether the tag is indexed at all} */
    private static String key(int tag, String name) {
        String prefix = switch (tag) {
            case STRUCT, CLASS -> "struct ";
            case UNION -> "union ";
            case ENUM -> "enum ";
            case TYPEDEF, BASE_TYPE -> "";
            default -> null;
        };
        if (prefix == null) {
            return null;
        }
        return name == null ? "" : prefix + name;
    }

    private Type decode(int id) {
        Unit u = dwarf.unitContaining(id);
        Die d = u.die(id);
        String name = d.string(Dwarf.AT_NAME);
        return switch (d.tag()) {
            case BASE_TYPE -> {
                int enc = (int) d.number(AT_ENCODING, 7);
                long size = d.number(AT_BYTE_SIZE, 0);
                if (enc == 4) {
                    yield new Type.Float(name, size);
                }
                yield new Type.Int(name, size, enc == 5 || enc == 6 || enc == 0xd, enc == 6 || enc == 8, enc == 2);
            }
            case POINTER -> new Type.Pointer(ref(u, d));
            case TYPEDEF -> new Type.Typedef(name, ref(u, d));
            case CONST -> new Type.Qualified("const", ref(u, d));
            case VOLATILE -> new Type.Qualified("volatile", ref(u, d));
            case RESTRICT -> new Type.Qualified("restrict", ref(u, d));
            case ATOMIC -> new Type.Qualified("_Atomic", ref(u, d));
            case UNSPECIFIED_TYPE -> new Type.Void();
            case STRUCT, CLASS, UNION -> struct(u, d, name);
            case ENUM -> {
                List<Type.Enumerator> values = new ArrayList<>();
                boolean signed = false;
                for (Die c : children(u, d)) {
                    if (c.tag() == ENUMERATOR) {
                        long v = c.number(AT_CONST_VALUE, 0);
                        signed |= v < 0;
                        values.add(new Type.Enumerator(c.string(Dwarf.AT_NAME), v));
                    }
                }
                yield new Type.Enum(name == null ? "" : name, d.number(AT_BYTE_SIZE, 4), signed, List.copyOf(values));
            }
            case ARRAY -> array(u, d);
            case SUBROUTINE -> {
                List<Type.Param> params = new ArrayList<>();
                boolean variadic = false;
                for (Die c : children(u, d)) {
                    if (c.tag() == PARAMETER) {
                        params.add(new Type.Param(c.string(Dwarf.AT_NAME) == null ? "" : c.string(Dwarf.AT_NAME), ref(u, c)));
                    } else if (c.tag() == UNSPECIFIED_PARAMETERS) {
                        variadic = true;
                    }
                }
                yield new Type.Function(ref(u, d), List.copyOf(params), variadic);
            }
            default -> throw new TypeException(source() + ": DIE 0x" + Integer.toHexString(id) + " has tag 0x"
                    + Integer.toHexString(d.tag()) + ", not a type");
        };
    }

    private Type struct(Unit u, Die d, String name) {
        boolean union = d.tag() == UNION;
        if (d.get(AT_DECLARATION) != null) { // declared here, defined elsewhere
            if (name != null) {
                Integer def = index().get((union ? "union " : "struct ") + name);
                if (def != null) {
                    return byId(def);
                }
            }
            return new Type.Forward(union ? "union" : "struct", name == null ? "" : name);
        }
        List<Type.Member> members = new ArrayList<>();
        for (Die c : children(u, d)) {
            if (c.tag() != MEMBER) {
                continue;
            }
            long bitOffset;
            int bitSize = (int) c.number(AT_BIT_SIZE, 0);
            Object loc = c.get(AT_DATA_MEMBER_LOCATION);
            long byteOffset = loc instanceof Long l ? l : loc instanceof byte[] b ? plusUconst(b) : 0;
            if (c.get(AT_DATA_BIT_OFFSET) instanceof Long dbo) {
                bitOffset = dbo;
            } else if (c.get(AT_BIT_OFFSET) instanceof Long bo && bitSize > 0) {
                // DWARF 2/3 bitfields count from the most significant bit of the storage unit.
                long storage = c.number(AT_BYTE_SIZE, ref(u, c).get().size());
                bitOffset = byteOffset * 8 + storage * 8 - bo - bitSize;
            } else {
                bitOffset = byteOffset * 8;
            }
            String memberName = c.string(Dwarf.AT_NAME);
            members.add(new Type.Member(memberName == null ? "" : memberName, ref(u, c), bitOffset, bitSize));
        }
        return new Type.Struct(union, name == null ? "" : name, d.number(AT_BYTE_SIZE, 0), List.copyOf(members));
    }

    private static long plusUconst(byte[] expr) {
        if (expr.length > 1 && (expr[0] & 0xff) == 0x23) { // DW_OP_plus_uconst ULEB
            long v = 0;
            int shift = 0;
            for (int i = 1; i < expr.length; i++) {
                v |= (long) (expr[i] & 0x7f) << shift;
                shift += 7;
                if ((expr[i] & 0x80) == 0) {
                    break;
                }
            }
            return v;
        }
        return 0;
    }

    /** Arrays: one DW_TAG_subrange_type per dimension, outermost first. */
    private Type array(Unit u, Die d) {
        List<Long> dims = new ArrayList<>();
        for (Die c : children(u, d)) {
            if (c.tag() == SUBRANGE) {
                Object count = c.get(AT_COUNT);
                Object upper = c.get(AT_UPPER_BOUND);
                dims.add(count instanceof Long n ? n : upper instanceof Long ub ? ub + 1 : 0L);
            }
        }
        if (dims.isEmpty()) {
            dims.add(0L);
        }
        TypeRef element = ref(u, d);
        Type t = null;
        for (int i = dims.size() - 1; i >= 0; i--) {
            t = new Type.Array(element, dims.get(i));
            if (i > 0) {
                element = TypeRef.fixed(t);
            }
        }
        return t;
    }

    private TypeRef ref(Unit u, Die d) {
        Object t = d.get(AT_TYPE);
        return new TypeRef(this, t == null ? 0 : (int) u.reference(t));
    }

    private static List<Die> children(Unit u, Die d) {
        List<Die> out = new ArrayList<>();
        if (!d.hasChildren()) {
            return out;
        }
        long p = d.next();
        while (p < u.end) {
            Die raw = u.walk(p);
            if (raw.tag() == 0) {
                break;
            }
            out.add(u.die(p));
            p = u.skipChildren(raw);
        }
        return out;
    }
}
