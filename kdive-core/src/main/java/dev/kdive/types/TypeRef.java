package dev.kdive.types;

/** A reference to a type by its id in a {@link TypeTable}; resolved on use. */
public record TypeRef(TypeTable table, int id) {
    public Type get() {
        return table.byId(id);
    }
}
