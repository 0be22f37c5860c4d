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
    private final List<Type> types = new ArrayList<>();
    private final Map<String, Integer> byName = new HashMap<>();
    private final Map<String, Integer> functions = new HashMap<>();

    private Btf(String source) {
        this.source = source;
        types.add(new Type.Void());
    }

    /**
     * Decodes a BTF blob.
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
        Btf btf = new Btf(source);
        btf.decode(b, (int) typeOff, (int) typeLen, blob, (int) strOff, (int) strLen);
        return btf;
    }

    private void decode(ByteBuffer b, int start, int length, byte[] blob, int strOff, int strLen) {
        int p = start;
        int end = start + length;
        while (p < end) {
            if (p + 12 > end) {
                throw bad(p - start, "a 12-byte btf_type");
            }
            String name = string(blob, strOff, strLen, b.getInt(p), p - start);
            int info = b.getInt(p + 4);
            int vlen = info & 0xffff;
            int kind = (info >>> 24) & 0x1f;
            boolean kindFlag = info < 0;
            int sizeOrType = b.getInt(p + 8);
            int at = p - start;
            p += 12;
            Type t;
            switch (kind) {
                case INT -> {
                    int enc = b.getInt(p);
                    p += 4;
                    int encoding = (enc >>> 24) & 0xf;
                    t = new Type.Int(name, sizeOrType, (encoding & 1) != 0, (encoding & 2) != 0, (encoding & 4) != 0);
                }
                case PTR -> t = new Type.Pointer(ref(sizeOrType));
                case ARRAY -> {
                    t = new Type.Array(ref(b.getInt(p)), Integer.toUnsignedLong(b.getInt(p + 8)));
                    p += 12;
                }
                case STRUCT, UNION -> {
                    List<Type.Member> members = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, p += 12) {
                        check(p + 12, end, at, "struct members");
                        int off = b.getInt(p + 8);
                        long bitOffset = kindFlag ? off & 0xffffff : Integer.toUnsignedLong(off);
                        int bitSize = kindFlag ? off >>> 24 : 0;
                        members.add(new Type.Member(string(blob, strOff, strLen, b.getInt(p), at), ref(b.getInt(p + 4)),
                                bitOffset, bitSize));
                    }
                    t = new Type.Struct(kind == UNION, name, Integer.toUnsignedLong(sizeOrType), List.copyOf(members));
                }
                case ENUM, ENUM64 -> {
                    int step = kind == ENUM ? 8 : 12;
                    List<Type.Enumerator> values = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, p += step) {
                        check(p + step, end, at, "enumerators");
                        long v = kind == ENUM ? (kindFlag ? b.getInt(p + 4) : Integer.toUnsignedLong(b.getInt(p + 4)))
                                : Integer.toUnsignedLong(b.getInt(p + 4)) | (long) b.getInt(p + 8) << 32;
                        values.add(new Type.Enumerator(string(blob, strOff, strLen, b.getInt(p), at), v));
                    }
                    t = new Type.Enum(name, Integer.toUnsignedLong(sizeOrType), kindFlag, List.copyOf(values));
                }
                case FWD -> t = new Type.Forward(kindFlag ? "union" : "struct", name);
                case TYPEDEF -> t = new Type.Typedef(name, ref(sizeOrType));
                case VOLATILE -> t = new Type.Qualified("volatile", ref(sizeOrType));
                case CONST -> t = new Type.Qualified("const", ref(sizeOrType));
                case RESTRICT -> t = new Type.Qualified("restrict", ref(sizeOrType));
                case TYPE_TAG -> t = new Type.Qualified("", ref(sizeOrType)); // __user, __rcu: no C keyword
                case FUNC -> {
                    functions.putIfAbsent(name, types.size());
                    t = new Type.Typedef(name, ref(sizeOrType)); // a named function: its prototype
                }
                case FUNC_PROTO -> {
                    List<Type.Param> params = new ArrayList<>(vlen);
                    boolean variadic = false;
                    for (int i = 0; i < vlen; i++, p += 8) {
                        check(p + 8, end, at, "parameters");
                        int type = b.getInt(p + 4);
                        if (i == vlen - 1 && type == 0 && b.getInt(p) == 0) {
                            variadic = true; // a last void, unnamed parameter means "..."
                        } else {
                            params.add(new Type.Param(string(blob, strOff, strLen, b.getInt(p), at), ref(type)));
                        }
                    }
                    t = new Type.Function(ref(sizeOrType), List.copyOf(params), variadic);
                }
                case VAR -> {
                    p += 4;
                    t = new Type.Typedef(name, ref(sizeOrType)); // a variable: name and type (per-cpu ones in vmlinux)
                }
                case DATASEC -> {
                    p += 12L * vlen > Integer.MAX_VALUE ? end : 12 * vlen;
                    t = new Type.Forward("section", name);
                }
                case FLOAT -> t = new Type.Float(name, sizeOrType);
                case DECL_TAG -> {
                    p += 4;
                    t = new Type.Qualified("", ref(sizeOrType));
                }
                default -> throw bad(at, "a BTF kind between 1 and 19, found " + kind);
            }
            if (p > end) {
                throw bad(at, "the " + kind + " record to end inside the type section");
            }
            int id = types.size();
            types.add(t);
            if (!name.isEmpty()) {
                String key = switch (t) {
                    case Type.Struct s -> s.keyword() + " " + name;
                    case Type.Enum e -> "enum " + name;
                    case Type.Forward f -> f.keyword() + " " + name;
                    default -> kind == FUNC || kind == VAR ? null : name;
                };
                if (key != null && (!(t instanceof Type.Forward) || !byName.containsKey(key))) {
                    Integer old = byName.get(key);
                    if (old == null || types.get(old) instanceof Type.Forward) {
                        byName.put(key, id);
                    }
                }
            }
        }
    }

    private TypeException bad(int offset, String expected) {
        return new TypeException(source + ": type section offset 0x" + Integer.toHexString(offset) + ": expected " + expected);
    }

    private void check(int needEnd, int end, int at, String what) {
        if (needEnd > end) {
            throw bad(at, what + " inside the type section");
        }
    }

    private TypeRef ref(int id) {
        return new TypeRef(this, id);
    }

    private String string(byte[] blob, int strOff, int strLen, int off, int at) {
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
        if (id < 0 || id >= types.size()) {
            throw new TypeException(source + ": type id " + id + " is past the last type (" + (types.size() - 1) + ")");
        }
        return types.get(id);
    }

    @Override
    public Optional<Type> lookup(String name) {
        Integer id = byName.get(name.strip().replaceAll("\\s+", " "));
        return id == null ? Optional.empty() : Optional.of(types.get(id));
    }

    /** {@return the prototype of a function BTF describes (vmlinux BTF has every non-inlined function)} */
    public Optional<Type> function(String name) {
        Integer id = functions.get(name);
        return id == null ? Optional.empty() : Optional.of(((Type.Typedef) types.get(id)).target().get());
    }

    /** {@return how many types, void included} */
    public int count() {
        return types.size();
    }

    @Override
    public String source() {
        return source;
    }
}
