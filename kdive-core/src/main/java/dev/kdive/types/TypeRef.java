package dev.kdive.types;

import java.util.Optional;

/** A reference to a type by its id in a {@link TypeTable}; resolved on use. */
public record TypeRef(TypeTable table, int id) {
    public Type get() {
        return table.byId(id);
    }

    /** {@return a reference to a type made outside any table (a pointer built by an expression, an array dimension)} */
    public static TypeRef fixed(Type type) {
        return new TypeRef(new Fixed(type), 1);
    }

    private record Fixed(Type type) implements TypeTable {
        @Override
        public Type byId(int id) {
            return type;
        }

        @Override
        public Optional<Type> lookup(String name) {
            return Optional.empty();
        }

        @Override
        public String source() {
            return "a type built by kdive";
        }
    }
}
