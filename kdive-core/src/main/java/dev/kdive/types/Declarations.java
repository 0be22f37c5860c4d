package dev.kdive.types;

import java.util.ArrayList;
import java.util.List;

/**
 * C spelling of types and declarations, as gdb's ptype and crash's struct print them:
 * {@code struct kmem_cache_cpu *cpu_slab}, {@code void (*ctor)(void *)}, {@code char name[16]}.
 */
public final class Declarations {
    private Declarations() {
    }

    /** {@return the type's name as C writes it, e.g. "struct list_head *" or "unsigned int [4]"} */
    public static String name(Type t) {
        return declaration(t, "").strip();
    }

    /** {@return "TYPE NAME" with the declarator built around {@code name}} */
    public static String declaration(Type t, String name) {
        return declaration(t, name, 0);
    }

    private static String declaration(Type t, String inner, int depth) {
        if (depth > 32) {
            return "<type nesting deeper than 32> " + inner;
        }
        return switch (t) {
            case Type.Pointer p -> {
                Type target = p.target().get();
                String d = "*" + inner;
                if (target instanceof Type.Array || target instanceof Type.Function) {
                    d = "(" + d + ")";
                }
                yield declaration(target, d, depth + 1);
            }
            case Type.Array a -> declaration(a.element().get(), inner + "[" + (a.length() == 0 ? "" : a.length()) + "]", depth + 1);
            case Type.Function f -> {
                List<String> ps = new ArrayList<>();
                for (Type.Param p : f.params()) {
                    ps.add(name(p.type().get()));
                }
                if (f.variadic()) {
                    ps.add("...");
                }
                yield declaration(f.returns().get(), inner + "(" + (ps.isEmpty() ? "void" : String.join(", ", ps)) + ")", depth + 1);
            }
            case Type.Qualified q -> {
                Type target = q.target().get();
                if (q.qualifier().isEmpty()) {
                    yield declaration(target, inner, depth + 1);
                }
                if (target instanceof Type.Pointer) { // int *const p
                    yield declaration(target, " " + q.qualifier() + " " + inner.strip(), depth + 1).replace("* ", "*");
                }
                yield q.qualifier() + " " + declaration(target, inner, depth + 1);
            }
            default -> join(base(t), inner);
        };
    }

    private static String join(String base, String declarator) {
        if (declarator.isEmpty()) {
            return base;
        }
        return declarator.startsWith("*") || declarator.startsWith("(") ? base + " " + declarator : base + " " + declarator;
    }

    /** {@return the name of a type that is not built from another: "struct x", "u32", "void"} */
    private static String base(Type t) {
        return switch (t) {
            case Type.Struct s -> s.keyword() + (s.name().isEmpty() ? " {...}" : " " + s.name());
            case Type.Enum e -> "enum" + (e.name().isEmpty() ? " {...}" : " " + e.name());
            case Type.Forward f -> f.keyword() + " " + f.name();
            default -> t.name();
        };
    }
}
