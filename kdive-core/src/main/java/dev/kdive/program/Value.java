package dev.kdive.program;

import dev.kdive.types.Type;

/**
 * The result of an expression: an object in memory of a type ({@code address} set), or a value
 * computed from others (an address taken, a pointer cast) held in {@code immediate}.
 */
public record Value(Type type, long address, boolean inMemory, long immediate) {
    public static Value at(Type type, long address) {
        return new Value(type, address, true, 0);
    }

    public static Value of(Type type, long value) {
        return new Value(type, 0, false, value);
    }
}
