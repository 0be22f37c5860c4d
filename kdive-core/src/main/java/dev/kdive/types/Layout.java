package dev.kdive.types;

import java.util.ArrayList;
import java.util.List;

/**
 * The members of a struct or union as a flat list, the way gdb's {@code ptype/o} and crash's
 * {@code struct -o} count them: members of anonymous structs and unions belong to the enclosing
 * type, with offsets from its start.
 */
public final class Layout {
    private Layout() {
    }

    /** A member with its absolute bit offset; {@code bitSize} 0 unless it is a bitfield. */
    public record Field(String name, long bitOffset, int bitSize, Type type) {
        public long offset() {
            return bitOffset / 8;
        }

        public long size() {
            return type.size();
        }
    }

    public static List<Field> fields(Type.Struct s) {
        List<Field> out = new ArrayList<>();
        collect(s, 0, out, 0);
        return out;
    }

    private static void collect(Type.Struct s, long base, List<Field> out, int depth) {
        if (depth > 32) {
            throw new TypeException("anonymous members nested deeper than 32 in " + s.keyword() + " " + s.name());
        }
        for (Type.Member m : s.members()) {
            Type t = m.type().get();
            if (m.name().isEmpty() && t.resolved() instanceof Type.Struct inner) {
                collect(inner, base + m.bitOffset(), out, depth + 1);
            } else {
                out.add(new Field(m.name(), base + m.bitOffset(), m.bitSize(), t));
            }
        }
    }
}
