package dev.kdive.finding;

import dev.kdive.value.Hex;

/**
 * One step of the chain that shows a finding: what was read (or known), where, and the value found.
 *
 * @param text    the step in words
 * @param address where it was read; null when the step is not a read
 * @param value   what was read there; null when there is no single value
 */
public record Evidence(String text, @Hex Long address, @Hex Long value) {
    public static Evidence of(String text) {
        return new Evidence(text, null, null);
    }

    public static Evidence read(String text, long address, long value) {
        return new Evidence(text, address, value);
    }

    public static Evidence at(String text, long address) {
        return new Evidence(text, address, null);
    }
}
