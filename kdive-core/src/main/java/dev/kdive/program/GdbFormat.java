package dev.kdive.program;

import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.MemoryFault;
import dev.kdive.types.Type;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Values of typed memory the way gdb prints them (crash's {@code struct NAME ADDR} and {@code p}):
 * integers in decimal, pointers in hex, {@code char *} with the string, char arrays as strings,
 * enums by name, runs of equal array elements as {@code <repeats N times>}. It lives in program, as
 * drgn's Object.format_ lives in libdrgn, because printing a {@code char *} reads the string it points at.
 */
public final class GdbFormat {
    private static final int REPEAT_THRESHOLD = 10; // gdb's "set print repeats"
    private static final int ELEMENT_LIMIT = 200;   // gdb's "set print elements"
    private final AddressSpace memory;

    public GdbFormat(AddressSpace memory) {
        this.memory = memory;
    }

    /** {@return the value of {@code type} whose bytes are {@code b[off..]}; nested lines indented by {@code indent}} */
    public String format(Type type, byte[] b, int off, long bitOffset, int bitSize, int indent) {
        Type t = type.resolved();
        return switch (t) {
            case Type.Int i -> {
                long v = bitSize > 0 ? bits(b, off, bitOffset, bitSize, i.signed()) : integer(b, off, (int) i.size(), i.signed());
                if (i.isBool()) {
                    yield v != 0 ? "true" : "false";
                }
                if (i.isChar() && i.size() == 1) {
                    yield v + " " + charLiteral((int) v);
                }
                yield i.signed() ? Long.toString(v) : Long.toUnsignedString(v);
            }
            case Type.Enum e -> {
                long v = bitSize > 0 ? bits(b, off, bitOffset, bitSize, e.signed()) : integer(b, off, (int) e.size(), e.signed());
                for (Type.Enumerator x : e.values()) {
                    if (x.value() == v) {
                        yield x.name();
                    }
                }
                yield Long.toString(v);
            }
            case Type.Pointer p -> {
                long v = integer(b, off, 8, false);
                String hex = "0x" + Long.toHexString(v);
                Type target = p.target().get().resolved();
                if (v != 0 && target instanceof Type.Int c && c.isChar() && c.size() == 1) {
                    try {
                        yield hex + " " + quote(memory.cstring(v, ELEMENT_LIMIT));
                    } catch (MemoryFault f) {
                        yield hex + " <error: " + f.reason() + ">";
                    }
                }
                yield hex;
            }
            case Type.Array a -> array(a, b, off, indent);
            case Type.Struct s -> struct(s, b, off, indent);
            case Type.Float f -> f.size() == 8 ? Double.toString(ByteBuffer.wrap(b, off, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble())
                    : Float.toString(ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
            case Type.Function f -> "{function}";
            default -> "<" + dev.kdive.types.Declarations.name(t) + ">";
        };
    }

    private String struct(Type.Struct s, byte[] b, int off, int indent) {
        StringBuilder out = new StringBuilder("{\n");
        String pad = " ".repeat(indent + 2);
        List<Type.Member> members = s.members();
        for (int i = 0; i < members.size(); i++) {
            Type.Member m = members.get(i);
            int at = off + (int) (m.bitOffset() / 8);
            String v = m.bitSize() > 0
                    ? format(m.type().get(), b, off, m.bitOffset(), m.bitSize(), indent + 2)
                    : format(m.type().get(), b, at, 0, 0, indent + 2);
            out.append(pad).append(m.name().isEmpty() ? "" : m.name() + " = ").append(v)
                    .append(i < members.size() - 1 ? ",\n" : "\n");
        }
        return out.append(" ".repeat(indent)).append('}').toString();
    }

    private String array(Type.Array a, byte[] b, int off, int indent) {
        Type element = a.element().get();
        Type e = element.resolved();
        int size = (int) element.size();
        if (e instanceof Type.Int c && c.isChar() && size == 1) {
            int n = 0;
            while (n < a.length() && off + n < b.length && b[off + n] != 0) {
                n++;
            }
            String text = quote(new String(b, off, n, java.nio.charset.StandardCharsets.ISO_8859_1));
            long zeros = a.length() - n;
            return zeros > REPEAT_THRESHOLD ? text + ", '\\000' <repeats " + (zeros - 1) + " times>" : text;
        }
        if (a.length() == 0 || size == 0) {
            return "0x" + Long.toHexString(off) + " <flexible array>";
        }
        List<String> items = new ArrayList<>();
        for (long i = 0; i < a.length() && items.size() < ELEMENT_LIMIT; i++) {
            items.add(format(element, b, off + (int) (i * size), 0, 0, indent));
        }
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < items.size(); ) {
            int j = i;
            while (j < items.size() && items.get(j).equals(items.get(i))) {
                j++;
            }
            if (j - i >= REPEAT_THRESHOLD) {
                runs.add(items.get(i) + " <repeats " + (j - i) + " times>");
            } else {
                for (int k = i; k < j; k++) {
                    runs.add(items.get(k));
                }
            }
            i = j;
        }
        return "{" + String.join(", ", runs) + (a.length() > ELEMENT_LIMIT ? "..." : "") + "}";
    }

    public static long integer(byte[] b, int off, int size, boolean signed) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        if (signed && size < 8) {
            int shift = 64 - 8 * size;
            v = (v << shift) >> shift;
        }
        return v;
    }

    /** A bitfield: {@code bitSize} bits at {@code bitOffset} from {@code off}, little-endian bit order. */
    public static long bits(byte[] b, int off, long bitOffset, int bitSize, boolean signed) {
        int first = off + (int) (bitOffset / 8);
        int shift = (int) (bitOffset % 8);
        int bytes = (shift + bitSize + 7) / 8;
        long v = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            v = (v << 8) | (first + i < b.length ? b[first + i] & 0xff : 0);
        }
        v >>>= shift;
        v &= bitSize == 64 ? -1L : (1L << bitSize) - 1;
        if (signed && bitSize < 64 && (v & (1L << (bitSize - 1))) != 0) {
            v |= -1L << bitSize;
        }
        return v;
    }

    public static String charLiteral(int c) {
        int u = c & 0xff;
        return switch (u) {
            case 0 -> "'\\000'";
            case 7 -> "'\\a'";
            case 8 -> "'\\b'";
            case 9 -> "'\\t'";
            case 10 -> "'\\n'";
            case 13 -> "'\\r'";
            case '\'' -> "'\\''";
            case '\\' -> "'\\\\'";
            default -> u >= 0x20 && u < 0x7f ? "'" + (char) u + "'" : String.format("'\\%03o'", u);
        };
    }

    public static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                q.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                q.append(c);
            } else {
                q.append(String.format("\\%03o", (int) c & 0xff));
            }
        }
        return q.append('"').toString();
    }
}
