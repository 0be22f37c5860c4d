package dev.kdive.dwarf;

import java.util.Map;

/**
 * One debugging information entry: its tag, attribute values (numbers as {@code Long}, strings,
 * {@code byte[]} blocks; references already made section-absolute), and where its children start.
 */
public record Die(long offset, int tag, boolean hasChildren, Map<Integer, Object> attributes, long next) {
    public Object get(int attribute) {
        return attributes.get(attribute);
    }

    public long number(int attribute, long fallback) {
        return attributes.get(attribute) instanceof Long l ? l : fallback;
    }

    public String string(int attribute) {
        return attributes.get(attribute) instanceof String s ? s : null;
    }
}
