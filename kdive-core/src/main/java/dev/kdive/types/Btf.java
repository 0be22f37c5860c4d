package dev.kdive.types;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private final byte[] blob;
    private final int typeStart;
    private final int typeEnd;
    private final int strOff;
    private final int strLen;
    private final int[] offsets; // record start of each type id, relative to the type section
    private final Type[] decoded;
    private Map<String, Integer> byName;
    private Map<String, Integer> functions;

    private Btf(String source, ByteBuffer b, byte[] blob, int typeStart, int typeEnd, int strOff, int strLen, int[] offsets) {
        this.source = source;
        this.b = b;
        this.blob = blob;
        this.typeStart = typeStart;
        this.typeEnd = typeEnd;
        this.strOff = strOff;
        this.strLen = strLen;
        this.offsets = offsets;
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
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if (blob.length < 24 || Short.toUnsignedInt(b.getShort(0)) != MAGIC) {
            throw new TypeException(source + ": at offset 0x0: expected the BTF magic 0xeb9f");
        }
        int hdrLen = b.getInt(4);
        long typeOff = hdrLen + Integer.toUnsignedLong(b.getInt(8));
        long typeLen = Integer.toUnsignedLong(b.getInt(12));
        long strOff = hdrLen + Integer.toUnsignedLong(b.getInt(16));
        long strLen = Integer.toUnsignedLong(b.getInt(20));
        if (hdrLen < 24 || typeOff + typeLen > blob.length || strOff + strLen > blob.length) {
            throw new TypeException(source + ": at offset 0x4: expected a btf_header whose sections fit in "
                    + blob.length + " bytes (type " + typeOff + "+" + typeLen + ", strings " + strOff + "+" + strLen + ")");
        }
        int start = (int) typeOff;
        int end = (int) (typeOff + typeLen);
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
        return new Btf(source, b, blob, start, end, (int) strOff, (int) strLen, java.util.Arrays.copyOf(offsets, n));
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

    /** Names of structs, unions, enums, typedefs and base types, and functions: built on the first look-up. */
    private synchronized void index() {
        if (byName != null) {
            return;
        }
        Map<String, Integer> names = new HashMap<>(offsets.length);
        Map<String, Integer> funcs = new HashMap<>();
        for (int id = 1; id < offsets.length; id++) {
            int p = typeStart + offsets[id];
            int nameOff = b.getInt(p);
            if (nameOff == 0) {
                continue;
            }
            int info = b.getInt(p + 4);
            int kind = (info >>> 24) & 0x1f;
            String prefix = switch (kind) {
                case STRUCT -> "struct ";
                case UNION -> "union ";
                case ENUM, ENUM64 -> "enum ";
                case FWD -> info < 0 ? "union " : "struct ";
                case TYPEDEF, INT, FLOAT -> "";
                case FUNC -> null;
                case VAR -> "var ";
                default -> "-";
            };
            if (prefix == null) {
                funcs.putIfAbsent(string(nameOff, offsets[id]), id);
            } else if (!prefix.equals("-")) {
                String key = prefix + string(nameOff, offsets[id]);
                Integer old = names.get(key);
                if (old == null || kind != FWD && ((b.getInt(typeStart + offsets[old] + 4) >>> 24) & 0x1f) == FWD) {
                    names.put(key, id);
                }
            }
        }
        functions = funcs;
        byName = names;
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
        while (e < strOff + strLen && blob[e] != 0) {
            e++;
        }
        return new String(blob, s, e - s, StandardCharsets.ISO_8859_1);
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
        Integer id = byName.get(name.strip().replaceAll("\\s+", " "));
        return id == null ? Optional.empty() : Optional.of(byId(id));
    }

    @Override
    public java.util.Set<String> names() {
        index();
        return java.util.Collections.unmodifiableSet(byName.keySet()); // "var x" and "func x" keys are not type names
    }

    @Override
    public Optional<Type> variable(String name) {
        index();
        Integer id = byName.get("var " + name);
        return id == null ? Optional.empty() : Optional.of(((Type.Typedef) byId(id)).target().get());
    }

    /** {@return the prototype of a function BTF describes (vmlinux BTF has every non-inlined function)} */
    public Optional<Type> function(String name) {
        index();
        Integer id = functions.get(name);
        return id == null ? Optional.empty() : Optional.of(((Type.Typedef) byId(id)).target().get());
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
