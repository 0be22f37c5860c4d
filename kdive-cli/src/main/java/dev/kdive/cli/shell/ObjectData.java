package dev.kdive.cli.shell;

import dev.kdive.types.Type;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a typed object's bytes, the data beside gdb's text (p, task, struct ADDR): a
 * struct or union is an object of its members (anonymous ones merged in, as C names them), an array
 * a list, a char array its string, a pointer "0x..." as every address kdive writes, an enum its
 * enumerator's name. A pure function of the type and the bytes: it reads nothing else.
 */
final class ObjectData {
    private static final int ELEMENT_LIMIT = 1 << 16;

    private ObjectData() {
    }

    /** {@return the data of {@code type} at {@code b[off..]}, or the bitfield at {@code bitOffset} when {@code bitSize > 0}} */
    static Object of(Type type, byte[] b, int off, long bitOffset, int bitSize) {
        Type t = type.resolved();
        if (t.size() > 0 && bitSize == 0 && off + t.size() > b.length && !(t instanceof Type.Array)) {
            return null; // beyond the bytes read: a flexible or truncated tail
        }
        return switch (t) {
            case Type.Int i -> {
                long v = bitSize > 0 ? dev.kdive.program.GdbFormat.bits(b, off, bitOffset, bitSize, i.signed())
                        : dev.kdive.program.GdbFormat.integer(b, off, (int) i.size(), i.signed());
                if (i.isBool()) {
                    yield v != 0;
                }
                yield !i.signed() && v < 0 ? new BigInteger(Long.toUnsignedString(v)) : (Object) v;
            }
            case Type.Enum e -> {
                long v = bitSize > 0 ? dev.kdive.program.GdbFormat.bits(b, off, bitOffset, bitSize, e.signed())
                        : dev.kdive.program.GdbFormat.integer(b, off, (int) e.size(), e.signed());
                for (Type.Enumerator x : e.values()) {
                    if (x.value() == v) {
                        yield x.name();
                    }
                }
                yield v;
            }
            case Type.Pointer p -> Hex.of(dev.kdive.program.GdbFormat.integer(b, off, 8, false));
            case Type.Array a -> array(a, b, off);
            case Type.Struct s -> struct(s, b, off);
            case Type.Float f -> f.size() == 8 ? ByteBuffer.wrap(b, off, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble()
                    : (Object) ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
            default -> null;
        };
    }

    private static Map<String, Object> struct(Type.Struct s, byte[] b, int off) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Type.Member member : s.members()) {
            Object v = member.bitSize() > 0 ? of(member.type().get(), b, off, member.bitOffset(), member.bitSize())
                    : of(member.type().get(), b, off + (int) (member.bitOffset() / 8), 0, 0);
            if (member.name().isEmpty() && v instanceof Map<?, ?> inner) {
                inner.forEach((k, x) -> m.put((String) k, x));
            } else {
                m.put(member.name(), v);
            }
        }
        return m;
    }

    private static Object array(Type.Array a, byte[] b, int off) {
        Type element = a.element().get();
        int size = (int) element.size();
        if (element.resolved() instanceof Type.Int c && c.isChar() && size == 1) {
            int n = 0;
            while (n < a.length() && off + n < b.length && b[off + n] != 0) {
                n++;
            }
            return new String(b, off, n, StandardCharsets.ISO_8859_1);
        }
        List<Object> items = new ArrayList<>();
        for (long i = 0; size > 0 && i < a.length() && items.size() < ELEMENT_LIMIT && off + (i + 1) * size <= b.length; i++) {
            items.add(of(element, b, off + (int) (i * size), 0, 0));
        }
        return items;
    }
}
