package dev.kdive.oops;

import java.util.ArrayList;
import java.util.List;

/**
 * The "Tainted:" field of an oops header, letter by letter. Letters and meanings are the kernel's
 * own: {@code taint_flags[]} in kernel/panic.c and Documentation/admin-guide/tainted-kernels.rst.
 * Since 4.x the kernel prints one column per flag (a letter or a blank, 'G' when no proprietary
 * module is loaded); older kernels printed only the set letters. Both read the same here: by letter.
 *
 * @param text  the field as printed ("G           OE     "), "Not tainted" when clean
 * @param flags the set flags, in the kernel's bit order
 */
public record Taint(String text, List<Flag> flags) {
    /** One taint flag: its bit in {@code tainted_mask}, letter and what it means. */
    public enum Flag {
        PROPRIETARY_MODULE(0, 'P', "proprietary module was loaded"),
        FORCED_MODULE(1, 'F', "module was force loaded"),
        CPU_OUT_OF_SPEC(2, 'S', "kernel running on an out of specification system"),
        FORCED_RMMOD(3, 'R', "module was force unloaded"),
        MACHINE_CHECK(4, 'M', "processor reported a Machine Check Exception"),
        BAD_PAGE(5, 'B', "bad page referenced or some unexpected page flags"),
        USER(6, 'U', "taint requested by userspace application"),
        DIE(7, 'D', "kernel died recently, i.e. there was an OOPS or BUG"),
        OVERRIDDEN_ACPI_TABLE(8, 'A', "ACPI table overridden by user"),
        WARN(9, 'W', "kernel issued warning"),
        CRAP(10, 'C', "staging driver was loaded"),
        FIRMWARE_WORKAROUND(11, 'I', "workaround for bug in platform firmware applied"),
        OOT_MODULE(12, 'O', "externally-built (\"out-of-tree\") module was loaded"),
        UNSIGNED_MODULE(13, 'E', "unsigned module was loaded"),
        SOFTLOCKUP(14, 'L', "soft lockup occurred"),
        LIVEPATCH(15, 'K', "kernel has been live patched"),
        AUX(16, 'X', "auxiliary taint, defined for and used by distros"),
        RANDSTRUCT(17, 'T', "kernel was built with the struct randomization plugin"),
        TEST(18, 'N', "an in-kernel test has been run");

        public final int bit;
        public final char letter;
        public final String meaning;

        Flag(int bit, char letter, String meaning) {
            this.bit = bit;
            this.letter = letter;
            this.meaning = meaning;
        }

        static Flag ofLetter(char c) {
            for (Flag f : values()) {
                if (f.letter == c) {
                    return f;
                }
            }
            return null;
        }
    }

    public Taint {
        flags = List.copyOf(flags);
    }

    /** {@return the clean kernel's field} */
    public static Taint none() {
        return new Taint("Not tainted", List.of());
    }

    /**
     * {@return the flags of a printed taint field: "G  W  OE", "P    B   D", or 6.10's
     * "[W]=WARN, [O]=OOT_MODULE"}. 'G' is the blank of 'P' (no proprietary module) and sets nothing.
     */
    public static Taint parse(String text) {
        List<Flag> set = new ArrayList<>();
        String t = text.strip();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean bracketed = t.indexOf('[') >= 0;
            if (bracketed ? i > 0 && t.charAt(i - 1) == '[' && t.startsWith("]=", i + 1) : c >= 'A' && c <= 'Z') {
                Flag f = Flag.ofLetter(c);
                if (f != null && !set.contains(f)) {
                    set.add(f);
                }
            }
        }
        set.sort(java.util.Comparator.comparingInt(f -> f.bit));
        return new Taint(t, set);
    }

    /** {@return whether this flag is set} */
    public boolean has(Flag f) {
        return flags.contains(f);
    }

    /** {@return the set letters, "OE"; empty when clean} */
    public String letters() {
        StringBuilder b = new StringBuilder();
        flags.forEach(f -> b.append(f.letter));
        return b.toString();
    }
}
