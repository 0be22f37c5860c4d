package dev.kdive.dump;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The VMCOREINFO text as KEY=VALUE lines (kernel/crash_core.c: OSRELEASE=, PAGESIZE=,
 * SYMBOL(name)=hex, OFFSET(struct.member)=dec, SIZE(..)=, NUMBER(..)=, KERNELOFFSET=hex, ...).
 */
public final class Vmcoreinfo {
    private Vmcoreinfo() {
    }

    /** {@return the entries in note order; a line without '=' is skipped} */
    public static Map<String, String> parse(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                map.putIfAbsent(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return map;
    }
}
