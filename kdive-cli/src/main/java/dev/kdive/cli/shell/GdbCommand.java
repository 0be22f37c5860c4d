package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.util.List;
import java.util.Map;

/**
 * crash's {@code gdb CMD}: passes a gdb command on. kdive has no gdb inside; the gdb commands users
 * type there ({@code gdb list *(f+0x7b)}, {@code gdb p}, {@code gdb ptype}, {@code gdb whatis}) are
 * kdive's own commands of the same names, and any other says so.
 */
final class GdbCommand implements ShellCommand {
    /** gdb's spelling → kdive's command that answers it. */
    private static final Map<String, String> SAME = Map.of("p", "p", "print", "p", "ptype", "ptype", "whatis", "whatis", "list", "list",
            "disassemble", "dis");

    private final Map<String, ShellCommand> commands;

    /** @param commands the shell's commands by name, looked up when a gdb command runs */
    GdbCommand(Map<String, ShellCommand> commands) {
        this.commands = commands;
    }

    @Override
    public String name() {
        return "gdb";
    }

    @Override
    public String synopsis() {
        return "gdb p|print|ptype|whatis|list|disassemble ARGS   gdb's commands, answered by kdive's own (no gdb inside)";
    }

    @Override
    public String example() {
        return "gdb list *(__kmalloc+0x7b)   the source line of __kmalloc+0x7b, as gdb's list gives it (needs --vmlinux)";
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("gdb: give a gdb command: " + synopsis());
        }
        String ours = SAME.get(args.getFirst());
        ShellCommand c = ours == null ? null : commands.get(ours);
        if (c == null) {
            throw new UsageException("gdb: kdive has no gdb inside; \"" + args.getFirst()
                    + "\" has no kdive equivalent (p, print, ptype, whatis, list and disassemble do)");
        }
        return c.run(p, args.subList(1, args.size()));
    }
}
