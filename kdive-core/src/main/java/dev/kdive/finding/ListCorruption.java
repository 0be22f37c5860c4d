package dev.kdive.finding;

import dev.kdive.value.Hex;
import java.util.List;

/**
 * A linked list (include/linux/list.h {@code list_head}, or a kernel list walked the same way) that
 * cannot be as the kernel left it: it loops without returning to its head, a link does not point
 * back ({@code next->prev != cur}, what CONFIG_DEBUG_LIST checks on every change), or it is longer
 * than the kernel allows.
 *
 * @param list     what list: "task list (init_task.tasks)", "modules"
 * @param head     the list head's address
 * @param at       the link where the walk found the damage
 * @param expected what the link should have held (the head for a loop's end; {@code cur} for prev); 0 when not known
 * @param found    what it held
 * @param entries  entries walked before the damage
 */
public record ListCorruption(Damage damage, String list, @Hex long head, @Hex long at, @Hex long expected, @Hex long found,
                             int entries, List<Evidence> evidence) implements Finding {
    /** The kinds of damage. */
    public enum Damage {
        LOOP("loops without returning to its head"),
        PREV_MISMATCH("a link does not point back"),
        TOO_LONG("is longer than the kernel allows");

        private final String words;

        Damage(String words) {
            this.words = words;
        }
    }

    public ListCorruption {
        evidence = List.copyOf(evidence);
    }

    @Override
    public String kind() {
        return "list." + damage.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Severity severity() {
        return damage == Damage.TOO_LONG ? Severity.LIMITATION : Severity.CORRUPTION;
    }

    @Override
    public String summary() {
        return switch (damage) {
            case LOOP -> list + " " + damage.words + ": after " + entries + " entries, link " + hex(at) + " comes round again";
            case PREV_MISMATCH -> list + ": " + damage.words + ": " + hex(at) + "->prev is " + hex(found) + ", expected " + hex(expected);
            case TOO_LONG -> list + " " + damage.words + ": stopped after " + entries + " entries";
        };
    }

    static String hex(long v) {
        return Long.toHexString(v);
    }
}
