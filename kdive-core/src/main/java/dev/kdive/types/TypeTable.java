package dev.kdive.types;

import java.util.Optional;

/** Types by id and by name, from one source (a BTF blob, a DWARF index). */
public interface TypeTable {
    /** {@return the type with that id; id 0 is void in BTF} */
    Type byId(int id);

    /**
     * {@return a named type: {@code "struct task_struct"}, {@code "union thread_union"},
     * {@code "enum pid_type"}, or a typedef/base type name ({@code "u32"}, {@code "unsigned int"});
     * a definition is preferred over a forward declaration}
     */
    Optional<Type> lookup(String name);

    /** {@return the type of a global variable, when this source records variables (DWARF does; BTF only per-cpu ones)} */
    default Optional<Type> variable(String name) {
        return Optional.empty();
    }

    /**
     * {@return every name {@link #lookup} answers, spelled as it takes them ("struct task_struct",
     * "u32"); what a shell completes from}
     */
    default java.util.Set<String> names() {
        return java.util.Set.of();
    }

    /** {@return where the types came from, for users} */
    String source();
}
