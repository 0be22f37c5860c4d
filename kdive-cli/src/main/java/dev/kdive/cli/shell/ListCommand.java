package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.kernel.Lists;
import dev.kdive.program.Program;
import dev.kdive.types.Type;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * crash's {@code list}: walks a linked list and prints each structure's address, and with
 * {@code -s STRUCT[.MEMBER,…]} its members. {@code -H HEAD}: a standalone {@code list_head} (the entries
 * follow it); {@code -h START}: a structure holding the list's {@code list_head} at the offset
 * (printed first); neither: structures chained by the pointer at the offset, which points at the
 * next structure, to NULL or back to the first. {@code -r}: backwards through {@code prev}. Every
 * walk is bounded; a loop, a bad link or an unreadable entry ends it with a finding. gdb's
 * {@code list *(FUNC+0xOFF)} (a source line) is still answered here.
 */
final class ListCommand implements ShellCommand {
    private final SourceListCommand source;

    ListCommand(List<Path> sourceDirs, List<Path> moduleDirs) {
        this.source = new SourceListCommand(sourceDirs, moduleDirs);
    }

    @Override
    public String name() {
        return "list";
    }

    @Override
    public String synopsis() {
        return "list [-o] OFF|STRUCT.MEMBER [-s STRUCT[.M,…]] [-r] [-e END] -H HEAD|-h START|START   walk a linked list;"
                + " list *(FUNC+0xOFF): source line (--vmlinux)";
    }

    @Override
    public String example() {
        return "list -H modules -o module.list -s module.name   every loaded module's struct module and name";
    }

    /** One structure reached: its address and, with {@code -s}, its members as printed. */
    record Entry(@dev.kdive.value.Hex long address, List<String> members) {}

    /** The structures in walk order, then why the walk ended early, if it did. */
    record Walked(List<Entry> entries, List<Finding> findings, String error) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (Entry e : entries) {
                out.printf("%x%n", e.address());
                e.members().forEach(out::println);
            }
            findings.forEach(f -> out.println("list: " + f.summary()));
            if (error != null) {
                out.println(error);
            }
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        if (!raw.isEmpty() && raw.getFirst().startsWith("*")) {
            return source.run(p, raw);
        }
        Args args = new Args("list", raw, Set.of("-h", "-H", "-r", "-B", "-d"), Set.of("-o", "-s", "-e"));
        List<String> operands = args.operands();
        String offsetText = args.value("-o").orElse(operands.size() == 2 ? operands.getFirst() : "0");
        if (operands.size() != (args.value("-o").isPresent() ? 1 : operands.size() == 2 ? 2 : 1)) {
            throw new UsageException("list: give the start (a structure, or with -H a list head), after the offset if any: " + synopsis());
        }
        if (args.has("-h") && args.has("-H")) {
            throw new UsageException("list: -h and -H exclude each other");
        }
        long offset = StructCommand.offset(p, "list", offsetText);
        long start = Args.address(p, "list", operands.getLast());
        long end = args.value("-e").isPresent() ? Args.address(p, "list", args.value("-e").get()) : 0;
        StructCommand.Selection shown = args.value("-s").isPresent() ? StructCommand.selection(p, "list", args.value("-s").get()) : null;
        String name = (args.has("-H") ? "list head " : "structure ") + Long.toHexString(start);
        Lists.Walk walk;
        List<Long> addresses = new ArrayList<>();
        if (args.has("-H") || args.has("-h")) {
            long head = args.has("-H") ? start : start + offset;
            walk = args.has("-r") ? Lists.listForEachEntryReverse(p, name, head, offset, Lists.LIMIT)
                    : Lists.listForEachEntry(p, name, head, offset, Lists.LIMIT);
            if (args.has("-h")) {
                addresses.add(start);
            }
        } else {
            if (args.has("-r")) {
                throw new UsageException("list: -r needs a list_head list (-h or -H)");
            }
            walk = Lists.chain(p.kernel(), name, start, offset, end, Lists.LIMIT);
        }
        for (long a : walk.entries()) {
            if (end != 0 && a == end) {
                break;
            }
            addresses.add(a);
        }
        List<Entry> entries = new ArrayList<>();
        for (long a : addresses) {
            if (shown == null) {
                entries.add(new Entry(a, List.of()));
                continue;
            }
            try {
                entries.add(new Entry(a, StructCommand.contents(p, "list", shown.struct(), shown.members(), a)));
            } catch (MemoryFault f) {
                entries.add(new Entry(a, List.of()));
                return new Walked(entries, walk.findings(), "list: " + f.getMessage());
            }
        }
        return new Walked(entries, walk.findings(), null);
    }

    /** The offset of the link in each structure: bytes, or {@code struct.member[.member]} as crash takes it. */
}
