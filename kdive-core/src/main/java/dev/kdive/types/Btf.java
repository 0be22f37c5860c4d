package dev.kdive.types;

import dev.kdive.dump.NameSlots;
import dev.kdive.dump.UserCache;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Types from a BTF blob (Documentation/bpf/btf.rst, include/uapi/linux/btf.h): a header (magic
 * 0xeB9F, version 1, hdr_len, type and string section offsets and lengths after the header), then
 * {@code struct btf_type} records (name_off, info: vlen | kind << 24 | kind_flag << 31,
 * size-or-type) each followed by its kind's data. Type ids count from 1; 0 is void. The whole
 * blob is decoded once; every malformed record is reported with its offset in the type section.
 */
public final class Btf implements TypeTable {
    public static final int MAGIC = 0xeB9F;
    private static final int INT = 1;
    private static final int PTR = 2;
    private static final int ARRAY = 3;
    private static final int STRUCT = 4;
    private static final int UNION = 5;
    private static final int ENUM = 6;
    private static final int FWD = 7;
    private static final int TYPEDEF = 8;
    private static final int VOLATILE = 9;
    private static final int CONST = 10;
    private static final int RESTRICT = 11;
    private static final int FUNC = 12;
    private static final int FUNC_PROTO = 13;
    private static final int VAR = 14;
    private static final int DATASEC = 15;
    private static final int FLOAT = 16;
    private static final int DECL_TAG = 17;
    private static final int TYPE_TAG = 18;
    private static final int ENUM64 = 19;

    private final String source;
    private final ByteBuffer b;
    private final int typeStart;
    private final int typeEnd;
    private final int strOff;
    private final int strLen;
    private final int[] offsets; // record start of each type id, relative to the type section
    private final Type[] decoded;
    private final Optional<java.nio.file.Path> indexFile;
    private NameSlots byName;
    private NameSlots functions;

    private Btf(String source, ByteBuffer b, int typeStart, int typeEnd, int strOff, int strLen, int[] offsets,
                Optional<java.nio.file.Path> indexFile) {
        this.source = source;
        this.b = b;
        this.typeStart = typeStart;
        this.typeEnd = typeEnd;
        this.strOff = strOff;
        this.strLen = strLen;
        this.offsets = offsets;
        this.indexFile = indexFile;
        this.decoded = new Type[offsets.length];
        decoded[0] = new Type.Void();
    }

    /**
     * Decodes a BTF blob: one pass finds where each type's record starts; records are decoded
     * when first used.
     *
     * @param source what to call it in messages: a file and section, or "BTF in the dump at ADDR"
     * @throws TypeException naming the offset of the first record that is not BTF
     */
    public static Btf parse(byte[] blob, String source) {
        return parse(ByteBuffer.wrap(blob), source, Optional.empty());
    }

    /**
     * As {@link #parse(byte[], String)}, over bytes read in place (a mapped section or file: nothing
     * is copied), with the index of its names kept in {@code indexFile} between runs.
     */
    public static Btf parse(ByteBuffer blob, String source, Optional<java.nio.file.Path> indexFile) {
        ByteBuffer b = blob.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = b.limit();
        if (length < 24 || Short.toUnsignedInt(b.getShort(0)) != MAGIC) {
            throw new TypeException(source + ": at offset 0x0: expected the BTF magic 0xeb9f");
        }
        int hdrLen = b.getInt(4);
        long typeOff = hdrLen + Integer.toUnsignedLong(b.getInt(8));
        long typeLen = Integer.toUnsignedLong(b.getInt(12));
        long strOff = hdrLen + Integer.toUnsignedLong(b.getInt(16));
        long strLen = Integer.toUnsignedLong(b.getInt(20));
        if (hdrLen < 24 || typeOff + typeLen > length || strOff + strLen > length) {
            throw new TypeException(source + ": at offset 0x4: expected a btf_header whose sections fit in "
                    + length + " bytes (type " + typeOff + "+" + typeLen + ", strings " + strOff + "+" + strLen + ")");
        }
        int start = (int) typeOff;
        int end = (int) (typeOff + typeLen);
        Optional<Saved> saved = indexFile.flatMap(f -> Saved.read(f, typeLen, strLen));
        if (saved.isPresent()) { // where each type starts, and the names, as a first look at this BTF found them
            Btf btf = new Btf(source, b, start, end, (int) strOff, (int) strLen, saved.get().offsets(), indexFile);
            btf.byName = saved.get().types();
            btf.functions = saved.get().functions();
            return btf;
        }
        int[] offsets = new int[1024];
        int n = 1;
        int p = start;
        while (p < end) {
            if (p + 12 > end) {
                throw new TypeException(source + ": type section offset 0x" + Integer.toHexString(p - start)
                        + ": expected a 12-byte btf_type");
            }
            if (n == offsets.length) {
                offsets = java.util.Arrays.copyOf(offsets, n * 2);
            }
            offsets[n++] = p - start;
            int info = b.getInt(p + 4);
            int vlen = info & 0xffff;
            int kind = (info >>> 24) & 0x1f;
            p += 12 + switch (kind) {
                case INT, VAR, DECL_TAG -> 4;
                case ARRAY -> 12;
                case STRUCT, UNION, DATASEC, ENUM64 -> 12 * vlen;
                case ENUM, FUNC_PROTO -> 8 * vlen;
                case PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG -> 0;
                default -> throw new TypeException(source + ": type section offset 0x" + Integer.toHexString(p - start)
                        + ": expected a BTF kind between 1 and 19, found " + kind);
            };
            if (p > end) {
                throw new TypeException(source + ": type section offset 0x" + Integer.toHexString(offsets[n - 1])
                        + ": expected the kind " + kind + " record to end inside the type section");
            }
        }
        return new Btf(source, b, start, end, (int) strOff, (int) strLen, java.util.Arrays.copyOf(offsets, n), indexFile);
    }

    private Type decode(int id) {
        int at = offsets[id];
        int p = typeStart + at;
        int end = typeEnd;
        String name = string(b.getInt(p), at);
        int info = b.getInt(p + 4);
        int vlen = info & 0xffff;
        int kind = (info >>> 24) & 0x1f;
        boolean kindFlag = info < 0;
        int sizeOrType = b.getInt(p + 8);
        p += 12;
        return switch (kind) {
            case INT -> {
                int encoding = (b.getInt(p) >>> 24) & 0xf;
                // pahole rarely sets BTF_INT_CHAR; "char", "signed char", "unsigned char" are chars all the same.
                boolean isChar = (encoding & 2) != 0 || sizeOrType == 1 && name.endsWith("char");
                yield new Type.Int(name, sizeOrType, (encoding & 1) != 0, isChar, (encoding & 4) != 0);
            }
            case PTR -> new Type.Pointer(ref(sizeOrType));
            case ARRAY -> new Type.Array(ref(b.getInt(p)), Integer.toUnsignedLong(b.getInt(p + 8)));
            case STRUCT, UNION -> {
                List<Type.Member> members = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++, p += 12) {
                    int off = b.getInt(p + 8);
                    long bitOffset = kindFlag ? off & 0xffffff : Integer.toUnsignedLong(off);
                    int bitSize = kindFlag ? off >>> 24 : 0;
                    members.add(new Type.Member(string(b.getInt(p), at), ref(b.getInt(p + 4)), bitOffset, bitSize));
                }
                yield new Type.Struct(kind == UNION, name, Integer.toUnsignedLong(sizeOrType), List.copyOf(members));
            }
            case ENUM, ENUM64 -> {
                int step = kind == ENUM ? 8 : 12;
                List<Type.Enumerator> values = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++, p += step) {
                    long v = kind == ENUM ? (kindFlag ? b.getInt(p + 4) : Integer.toUnsignedLong(b.getInt(p + 4)))
                            : Integer.toUnsignedLong(b.getInt(p + 4)) | (long) b.getInt(p + 8) << 32;
                    values.add(new Type.Enumerator(string(b.getInt(p), at), v));
                }
                yield new Type.Enum(name, Integer.toUnsignedLong(sizeOrType), kindFlag, List.copyOf(values));
            }
            case FWD -> new Type.Forward(kindFlag ? "union" : "struct", name);
            case TYPEDEF, FUNC, VAR -> new Type.Typedef(name, ref(sizeOrType)); // FUNC, VAR: a name for a prototype/type
            case VOLATILE -> new Type.Qualified("volatile", ref(sizeOrType));
            case CONST -> new Type.Qualified("const", ref(sizeOrType));
            case RESTRICT -> new Type.Qualified("restrict", ref(sizeOrType));
            case TYPE_TAG, DECL_TAG -> new Type.Qualified("", ref(sizeOrType)); // __user, __rcu: no C keyword
            case FUNC_PROTO -> {
                List<Type.Param> params = new ArrayList<>(vlen);
                boolean variadic = false;
                for (int i = 0; i < vlen; i++, p += 8) {
                    int type = b.getInt(p + 4);
                    if (i == vlen - 1 && type == 0 && b.getInt(p) == 0) {
                        variadic = true; // a last void, unnamed parameter means "..."
                    } else {
                        params.add(new Type.Param(string(b.getInt(p), at), ref(type)));
                    }
                }
                yield new Type.Function(ref(sizeOrType), List.copyOf(params), variadic);
            }
            case DATASEC -> new Type.Forward("section", name);
            case FLOAT -> new Type.Float(name, sizeOrType);
            default -> throw bad(at, "a BTF kind between 1 and 19, found " + kind);
        };
    }

    /** {@return the name type {@code id} is looked up by ("struct x", "enum y", "var z", a typedef's or base type's own), or null} */
    private String key(int id) {
        int p = typeStart + offsets[id];
        int nameOff = b.getInt(p);
        if (nameOff == 0) {
            return null;
        }
        int info = b.getInt(p + 4);
        String prefix = switch ((info >>> 24) & 0x1f) {
            case STRUCT -> "struct ";
            case UNION -> "union ";
            case ENUM, ENUM64 -> "enum ";
            case FWD -> info < 0 ? "union " : "struct ";
            case TYPEDEF, INT, FLOAT -> "";
            case VAR -> "var ";
            default -> null;
        };
        return prefix == null ? null : prefix + string(nameOff, offsets[id]);
    }

    /** {@return the name of function {@code id}, or null when it is not a FUNC} */
    private String functionName(int id) {
        int p = typeStart + offsets[id];
        return kind(id) == FUNC && b.getInt(p) != 0 ? string(b.getInt(p), offsets[id]) : null;
    }

    private int kind(int id) {
        return (b.getInt(typeStart + offsets[id] + 4) >>> 24) & 0x1f;
    }

    /**
     * Names of structs, unions, enums, typedefs, base types and variables, and of functions: made on
     * the first look-up when {@link #parse} found no index file made for this BTF (and saved there).
     * A definition wins over a forward declaration of its name; of two functions, the first.
     */
    private synchronized void index() {
        if (byName != null) {
            return;
        }
        byte[] types = NameSlots.build(offsets.length, id -> id == 0 ? null : key(id),
                (kept, other) -> kind(other) != FWD && kind(kept) == FWD);
        byte[] funcs = NameSlots.build(offsets.length, id -> id == 0 ? null : functionName(id), (kept, other) -> false);
        functions = new NameSlots(java.lang.foreign.MemorySegment.ofArray(funcs));
        byName = new NameSlots(java.lang.foreign.MemorySegment.ofArray(types));
        int typeLen = typeEnd - typeStart;
        indexFile.ifPresent(file -> UserCache.saveLater(file, () -> Saved.bytes(offsets, typeLen, strLen, types, funcs)));
    }

    /**
     * The index file of a BTF blob: where each type starts and the two {@link NameSlots} tables, so
     * that a later run decodes nothing before its first type. "KDBTFNX\2", u32 type count, u32
     * string section length, u32 type section length (what it was made for), u32 type slots, u32
     * function slots, u32 CRC-32 of the rest; u32 offsets[count]; the type names' slots; the
     * functions' slots. One that is cut, damaged or made for other lengths is not used.
     */
    private record Saved(int[] offsets, NameSlots types, NameSlots functions) {
        private static final int HEADER = 32;
        private static final long MAGIC = 0x0258_4e46_5442_444BL; // "KDBTFNX\2" little-endian

        static Optional<Saved> read(java.nio.file.Path file, long typeLen, long strLen) {
            return UserCache.map(file).flatMap(m -> {
                if (m.byteSize() < HEADER) {
                    return Optional.empty();
                }
                ByteBuffer h = m.asSlice(0, HEADER).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                long count = Integer.toUnsignedLong(h.getInt(8));
                long typeSlots = Integer.toUnsignedLong(h.getInt(20));
                long funcSlots = Integer.toUnsignedLong(h.getInt(24));
                if (h.getLong(0) != MAGIC || h.getInt(12) != (int) strLen || h.getInt(16) != (int) typeLen || count == 0
                        || m.byteSize() != HEADER + 4 * (count + typeSlots + funcSlots) || crc(m.asSlice(HEADER)) != h.getInt(28)) {
                    return Optional.empty();
                }
                int[] offsets = m.asSlice(HEADER, 4 * count).toArray(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                try {
                    long at = HEADER + 4 * count;
                    return Optional.of(new Saved(offsets, new NameSlots(m.asSlice(at, 4 * typeSlots)),
                            new NameSlots(m.asSlice(at + 4 * typeSlots, 4 * funcSlots))));
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            });
        }

        static ByteBuffer bytes(int[] offsets, int typeLen, int strLen, byte[] types, byte[] funcs) {
            ByteBuffer out = ByteBuffer.allocate(HEADER + 4 * offsets.length + types.length + funcs.length).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(MAGIC).putInt(offsets.length).putInt(strLen).putInt(typeLen).putInt(types.length / 4).putInt(funcs.length / 4).putInt(0);
            for (int o : offsets) {
                out.putInt(o);
            }
            out.put(types).put(funcs);
            out.putInt(28, crc(java.lang.foreign.MemorySegment.ofArray(out.array()).asSlice(HEADER)));
            return out.clear();
        }
    }

    private static int crc(java.lang.foreign.MemorySegment m) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(m.asByteBuffer());
        return (int) crc.getValue();
    }


    private TypeException bad(int offset, String expected) {
        return new TypeException(source + ": type section offset 0x" + Integer.toHexString(offset) + ": expected " + expected);
    }

    private TypeRef ref(int id) {
        return new TypeRef(this, id);
    }

    private String string(int off, int at) {
        if (off < 0 || off >= strLen) {
            if (off == 0) {
                return "";
            }
            throw bad(at, "a name offset inside the " + strLen + "-byte string section, found " + Integer.toUnsignedString(off));
        }
        int s = strOff + off;
        int e = s;
        while (e < strOff + strLen && b.get(e) != 0) {
            e++;
        }
        byte[] name = new byte[e - s];
        b.get(s, name);
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    @Override
    public Type byId(int id) {
        if (id < 0 || id >= offsets.length) {
            throw new TypeException(source + ": type id " + id + " is past the last type (" + (offsets.length - 1) + ")");
        }
        Type t = decoded[id];
        if (t == null) {
            t = decode(id);
            decoded[id] = t; // a benign race: two threads decode the same immutable value
        }
        return t;
    }

    @Override
    public Optional<Type> lookup(String name) {
        index();
        String key = normalized(name);
        int id = byName.find(key, i -> key.equals(key(i)));
        return id < 0 ? Optional.empty() : Optional.of(byId(id));
    }

    /** {@return the name as the index spells it: trimmed, each run of blanks one space ("struct  x " is "struct x")} */
    private static String normalized(String name) {
        String s = name.strip();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) && (c != ' ' || Character.isWhitespace(s.charAt(i + 1)))) {
                return s.replaceAll("\\s+", " ");
            }
        }
        return s;
    }

    @Override
    public java.util.Set<String> names() {
        index();
        return byName.entries().mapToObj(this::key).filter(k -> !k.startsWith("var "))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    @Override
    public Optional<Type> variable(String name) {
        index();
        String key = "var " + name;
        int id = byName.find(key, i -> key.equals(key(i)));
        return id < 0 ? Optional.empty() : Optional.of(((Type.Typedef) byId(id)).target().get());
    }

    /** {@return the prototype of a function BTF describes (vmlinux BTF has every non-inlined function)} */
    public Optional<Type> function(String name) {
        index();
        int id = functions.find(name, i -> name.equals(functionName(i)));
        return id < 0 ? Optional.empty() : Optional.of(((Type.Typedef) byId(id)).target().get());
    }

    /** {@return how many types, void included} */
    public int count() {
        return offsets.length;
    }

    @Override
    public String source() {
        return source;
    }
}
