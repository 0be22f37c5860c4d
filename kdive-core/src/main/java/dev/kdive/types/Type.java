package dev.kdive.types;

import java.util.List;
import java.util.Optional;

/**
 * A C type of the kernel, from BTF or DWARF: one model for both. Types refer to each other through
 * {@link TypeRef}s, resolved on use, so recursive types (a list_head pointing at list_heads) need
 * no cycles in the objects themselves.
 */
public sealed interface Type {
    /** {@return the type's own name ("task_struct", "u32"); empty for anonymous and derived types} */
    String name();

    /** {@return the size in bytes (0 for void and functions)} */
    long size();

    /** {@return this type with typedefs and qualifiers peeled off} */
    default Type resolved() {
        Type t = this;
        for (int depth = 0; depth < 64; depth++) {
            switch (t) {
                case Typedef d -> t = d.target().get();
                case Qualified q -> t = q.target().get();
                default -> {
                    return t;
                }
            }
        }
        throw new TypeException("typedef/qualifier chain longer than 64 at " + name());
    }

    record Void() implements Type {
        @Override
        public String name() {
            return "void";
        }

        @Override
        public long size() {
            return 0;
        }
    }

    /** An integer: {@code char} and {@code _Bool} are integers with their flags set. */
    record Int(String name, long size, boolean signed, boolean isChar, boolean isBool) implements Type {}

    record Float(String name, long size) implements Type {}

    record Pointer(TypeRef target) implements Type {
        @Override
        public String name() {
            return "";
        }

        @Override
        public long size() {
            return 8;
        }
    }

    /** An array; {@code length} 0 is a flexible array member. */
    record Array(TypeRef element, long length) implements Type {
        @Override
        public String name() {
            return "";
        }

        @Override
        public long size() {
            Type e = element.get().resolved();
            if (e instanceof Array) { // nested dimensions: bounded, as a loop would never end
                long n = length;
                for (int depth = 0; e instanceof Array a; depth++) {
                    if (depth > 32) {
                        throw new TypeException("array dimensions nested deeper than 32");
                    }
                    n *= a.length();
                    e = a.element().get().resolved();
                }
                return n * e.size();
            }
            return e.size() * length;
        }
    }

    /** A struct or union with its members in declaration order. */
    record Struct(boolean union, String name, long size, List<Member> members) implements Type {
        /** {@return the member of that name, looking through anonymous struct and union members} */
        public Optional<Member> member(String name) {
            for (Member m : members) {
                if (m.name().equals(name)) {
                    return Optional.of(m);
                }
                if (m.name().isEmpty() && m.type().get().resolved() instanceof Struct inner) {
                    Optional<Member> found = inner.member(name);
                    if (found.isPresent()) {
                        Member f = found.get();
                        return Optional.of(new Member(f.name(), f.type(), m.bitOffset() + f.bitOffset(), f.bitSize()));
                    }
                }
            }
            return Optional.empty();
        }

        /**
         * {@return the named members, anonymous struct members expanded in place and an anonymous
         * union standing for its first member, offsets from this struct's start} The kernel keeps
         * a field's old name first when it wraps it in a union: x86's pt_regs since 6.9 has
         * {@code union { u16 cs; u64 csx; struct fred_cs fred_cs; }} (arch/x86/include/asm/ptrace.h).
         */
        public List<Member> namedMembers() {
            List<Member> out = new java.util.ArrayList<>();
            namedMembers(0, 0, out);
            return out;
        }

        private void namedMembers(long base, int depth, List<Member> out) {
            for (Member m : union ? members.subList(0, Math.min(1, members.size())) : members) {
                if (!m.name().isEmpty()) {
                    out.add(new Member(m.name(), m.type(), base + m.bitOffset(), m.bitSize()));
                } else if (depth < 8 && m.type().get().resolved() instanceof Struct inner) {
                    inner.namedMembers(base + m.bitOffset(), depth + 1, out);
                }
            }
        }

        public String keyword() {
            return union ? "union" : "struct";
        }
    }

    /**
     * A member; {@code bitSize} is 0 unless it is a bitfield.
     *
     * @param bitOffset from the start of the enclosing struct, in bits
     */
    record Member(String name, TypeRef type, long bitOffset, int bitSize) {
        public long offset() {
            return bitOffset / 8;
        }
    }

    record Enum(String name, long size, boolean signed, List<Enumerator> values) implements Type {}

    record Enumerator(String name, long value) {}

    record Typedef(String name, TypeRef target) implements Type {
        @Override
        public long size() {
            return resolved().size(); // resolved() bounds a typedef loop in broken type data
        }
    }

    /** const, volatile, restrict (and BTF type tags, kept as their tag name). */
    record Qualified(String qualifier, TypeRef target) implements Type {
        @Override
        public String name() {
            return "";
        }

        @Override
        public long size() {
            return resolved().size();
        }
    }

    record Function(TypeRef returns, List<Param> params, boolean variadic) implements Type {
        @Override
        public String name() {
            return "";
        }

        @Override
        public long size() {
            return 0;
        }
    }

    record Param(String name, TypeRef type) {}

    /** A type a client layer defines for values no type source describes (an untyped symbol). */
    non-sealed interface Opaque extends Type {}

    /** A struct, union or enum declared but not defined here. */
    record Forward(String keyword, String name) implements Type {
        @Override
        public long size() {
            return 0;
        }
    }
}
