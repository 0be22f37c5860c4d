package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.kernel.Trees;
import dev.kdive.program.Program;
import dev.kdive.types.Type;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * crash's {@code tree}: every entry of a red-black tree (root first, or in key order with {@code -l}),
 * an XArray or radix tree (the same structure since 4.20), or a maple tree, as addresses, with
 * {@code -s STRUCT[.MEMBER,…]} members and with {@code -p} each entry's position.
 */
final class TreeCommand implements ShellCommand {
    @Override
    public String name() {
        return "tree";
    }

    @Override
    public String synopsis() {
        return "tree [-t rbtree|radix|xarray|maple] [-r OFF] [-o OFF] [-s STRUCT[.M,…]] [-l] [-p] [-N] ROOT   every entry of a kernel tree";
    }

    @Override
    public String example() {
        return "tree -t rbtree -o vmap_area.rb_node -s vmap_area.va_start vmap_area_root   every vmalloc area and its start";
    }

    /** One entry: its address (a red-black node's container), where it sits, its index for the array-like trees. */
    record Entry(@dev.kdive.value.Hex long address, String position, @dev.kdive.value.Hex Long index, List<String> members) {}

    record Entries(List<Entry> entries, boolean positions, List<Finding> findings, String error) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (Entry e : entries) {
                out.printf("%x%n", e.address());
                if (positions) {
                    out.println(e.index() == null ? "  position: " + e.position() : "  index: " + Long.toUnsignedString(e.index())
                            + "  position: " + e.position());
                }
                e.members().forEach(out::println);
            }
            findings.forEach(f -> out.println("tree: " + f.summary()));
            if (error != null) {
                out.println(error);
            }
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("tree", raw, Set.of("-l", "-p", "-N"), Set.of("-t", "-r", "-o", "-s"));
        if (args.operands().size() != 1) {
            throw new UsageException("tree: give the tree's root (an rb_root, xarray, radix_tree_root or maple_tree, or a structure holding it with -r): "
                    + synopsis());
        }
        String type = switch (args.value("-t").orElse("rbtree")) {
            case "rbtree", "rb" -> "rbtree";
            case "radix", "ra", "xarray", "x" -> "xarray";
            case "maple", "m" -> "maple";
            default -> throw new UsageException("tree: -t takes rbtree, radix, xarray or maple, not " + args.value("-t").get());
        };
        long start = Args.address(p, "tree", args.operands().getFirst()) + StructCommand.offset(p, "tree", args.value("-r").orElse("0"));
        long nodeOffset = StructCommand.offset(p, "tree", args.value("-o").orElse("0"));
        if (!type.equals("rbtree") && args.value("-o").isPresent()) {
            throw new UsageException("tree: -o is the rb_node's offset, for red-black trees only");
        }
        StructCommand.Selection shown = args.value("-s").isPresent() ? StructCommand.selection(p, "tree", args.value("-s").get()) : null;
        String what = "tree at " + Long.toHexString(start);
        List<Entry> entries = new ArrayList<>();
        List<Finding> findings;
        try {
            switch (type) {
                case "rbtree" -> {
                    Trees.Walk<Trees.RbNode> w = args.has("-N") ? Trees.rbtree(p, what, start, args.has("-l"))
                            : Trees.rbRoot(p, what, start, args.has("-l"));
                    w.nodes().forEach(n -> entries.add(new Entry(n.node() - nodeOffset, n.position(), null, List.of())));
                    findings = w.findings();
                }
                case "xarray" -> {
                    Trees.Walk<Trees.Slot> w = args.has("-N") ? Trees.xarray(p, what, start | 2) : Trees.xarrayAt(p, what, start);
                    w.nodes().forEach(s -> entries.add(new Entry(s.entry(), s.position(), s.index(), List.of())));
                    findings = w.findings();
                }
                default -> {
                    Trees.Walk<Trees.Slot> w = args.has("-N") ? Trees.mapleTree(p, what, start | 2) : Trees.mapleTreeAt(p, what, start);
                    w.nodes().forEach(s -> entries.add(new Entry(s.entry(), s.position(), s.index(), List.of())));
                    findings = w.findings();
                }
            }
        } catch (MemoryFault f) {
            return new Entries(List.of(), false, List.of(), "tree: root " + Long.toHexString(start) + ": " + f.getMessage());
        }
        if (shown != null) {
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                try {
                    entries.set(i, new Entry(e.address(), e.position(), e.index(), StructCommand.contents(p, "tree", shown.struct(), shown.members(), e.address())));
                } catch (MemoryFault f) {
                    return new Entries(entries.subList(0, i + 1), args.has("-p"), findings, "tree: " + f.getMessage());
                }
            }
        }
        return new Entries(entries, args.has("-p"), findings, null);
    }
}
