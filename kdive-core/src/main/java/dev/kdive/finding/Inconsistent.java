package dev.kdive.finding;

import dev.kdive.value.Hex;
import java.util.List;

/**
 * Kernel data that disagrees with itself where a healthy kernel keeps it consistent: a
 * {@code vm_area_struct} whose {@code vm_mm} names another mm, a maple node of a type no tree holds,
 * a printk ring buffer with impossible sizes. Unlike {@link ListCorruption} or {@link SlabDamage} it
 * has no structure of its own; what was expected and what was found say it.
 *
 * @param what     the object ("vm_area_struct ffff8880...", "printk ring buffer")
 * @param address  where it lives; null when not one address
 * @param expected what a healthy kernel holds there
 * @param found    what the dump holds
 */
public record Inconsistent(String what, @Hex Long address, String expected, String found, List<Evidence> evidence)
        implements Finding {
    public Inconsistent {
        evidence = List.copyOf(evidence);
    }

    @Override
    public String kind() {
        return "data.inconsistent";
    }

    @Override
    public Severity severity() {
        return Severity.CORRUPTION;
    }

    @Override
    public String summary() {
        return what + ": " + found + ", expected " + expected;
    }
}
