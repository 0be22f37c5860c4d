package dev.kdive.cli.shell;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What a shell session remembers between commands: the task {@code set} made current, and the aliases. */
final class Session {
    /**
     * crash's built-in aliases whose commands kdive has (crash's px, pd, hex, dec, sf, sn and last name
     * forms kdive does not take, so they are not offered).
     */
    private static final Map<String, String> BUILTIN = Map.of("man", "help", "?", "help", "g", "gdb", "for", "foreach",
            "size", "*", "dmesg", "log", "lsmod", "mod");

    private Integer pid;
    /** alias → (origin, command), in definition order. */
    private final Map<String, String[]> aliases = new LinkedHashMap<>();

    Session() {
        for (String a : new String[] {"man", "?", "g", "for", "size", "dmesg", "lsmod"}) {
            aliases.put(a, new String[] {"builtin", BUILTIN.get(a)});
        }
    }

    Optional<String> pid() {
        return Optional.ofNullable(pid).map(String::valueOf);
    }

    void pid(int pid) {
        this.pid = pid;
    }

    /** {@return the command an alias stands for} */
    Optional<String> alias(String name) {
        return Optional.ofNullable(aliases.get(name)).map(a -> a[1]);
    }

    void alias(String name, String command) {
        aliases.put(name, new String[] {"runtime", command});
    }

    /** {@return every alias: name → {origin, command}} */
    Map<String, String[]> aliases() {
        return java.util.Collections.unmodifiableMap(aliases);
    }
}
