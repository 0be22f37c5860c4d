package dev.kdive.finding;

import java.util.List;

/**
 * Something kdive could not work out from this dump at all, with why: the kernel has no such symbol,
 * the dump has no types. Not a fault of the crashed kernel.
 *
 * @param what what is missing from the answer ("modules", "slab caches")
 * @param why  the reason
 */
public record Unavailable(String what, String why) implements Finding {
    @Override
    public String kind() {
        return "unavailable";
    }

    @Override
    public Severity severity() {
        return Severity.LIMITATION;
    }

    @Override
    public String summary() {
        return what + ": " + why;
    }

    @Override
    public List<Evidence> evidence() {
        return List.of();
    }
}
