package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.types.Declarations;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * crash's {@code struct} and {@code union}: a layout ({@code -o}: with member offsets), one member
 * ({@code struct NAME.member}), or the contents of the object at an address, printed as gdb does.
 */
final class StructCommand implements ShellCommand {
    private final boolean union;

    StructCommand(boolean union) {
        this.union = union;
    }

    @Override
    public String name() {
        return union ? "union" : "struct";
    }

    @Override
    public String synopsis() {
        return name() + " [-o] [-l OFF|S.M] NAME[.MEMBER[,MEMBER]] [ADDR]   layout, member offsets, or the object at ADDR"
                + " (-l: ADDR points at that embedded member, as a list_head of a list walk does)";
    }

    @Override
    public String example() {
        return union ? "union -o bpf_attr          the union's layout, with member offsets"
                : "struct task_struct.pid,comm init_task   two members of the task_struct at a symbol (or an address)";
    }

    /** One member as data: its path, byte offset and size; bitOffset (in its byte) and bitSize for bitfields. */
    record Member(String name, long offset, long size, Long bitOffset, Integer bitSize, String type) {}

    /** The layout as data, for JSON: the members, the text as printed, and the error that cut it short. */
    record LayoutData(List<Member> members, String text, String error) {}

    /** The lines printed and, for JSON, the members with their offsets and sizes. */
    record Layout(List<String> lines, List<Member> members, String error) implements Output {
        @Override
        public void text(PrintWriter out) {
            lines.forEach(out::println);
            if (error != null) {
                out.println(error);
            }
        }

        @Override
        public Object json() {
            return new LayoutData(members, String.join("\n", lines), error);
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args(name(), raw, Set.of("-o"), Set.of("-l"));
        if (args.operands().isEmpty() || args.operands().size() > 2) {
            throw new UsageException(name() + ": usage: " + synopsis());
        }
        String spec = args.operands().get(0);
        String typeName = spec.contains(".") ? spec.substring(0, spec.indexOf('.')) : spec;
        List<String> wanted = spec.contains(".") ? List.of(spec.substring(spec.indexOf('.') + 1).split(",")) : List.of();
        Type.Struct s = lookup(p, name(), typeName);
        List<Member> members = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        if (args.operands().size() == 2) {
            long addr = Args.address(p, name(), args.operands().get(1));
            if (args.has("-l")) { // crash's -l: the address is of a member inside the object, list_head-style
                addr -= offset(p, name(), args.value("-l").orElseThrow());
            }
            try {
                lines.addAll(contents(p, name(), s, wanted, addr));
            } catch (MemoryFault f) {
                return new Layout(lines, members, name() + ": " + f.getMessage());
            }
            return new Layout(lines, members, null);
        }
        if (args.has("-l")) {
            throw new UsageException(name() + ": -l needs an address: " + synopsis());
        }
        boolean offsets = args.has("-o") || !wanted.isEmpty();
        lines.add(s.keyword() + " " + s.name() + " {");
        if (wanted.isEmpty()) {
            layout(s, 0, 1, offsets, lines, members, "");
        } else {
            for (String w : wanted) {
                Type.Member m = member(name(), s, w);
                lines.add(memberLine(m, m.bitOffset(), 1, true));
                members.add(describe(w, m, m.bitOffset()));
            }
        }
        lines.add("}");
        if (wanted.isEmpty()) {
            lines.add("SIZE: " + s.size());
        }
        return new Layout(lines, members, null);
    }

    static Type.Struct lookup(Program p, String command, String typeName) throws UsageException {
        try {
            Optional<Type> t = p.types().lookup((command.equals("union") ? "union " : "struct ") + typeName);
            if (t.isEmpty()) {
                t = p.types().lookup(typeName).map(Type::resolved).filter(x -> x instanceof Type.Struct);
            }
            if (t.isEmpty() || !(t.get() instanceof Type.Struct s)) {
                throw new UsageException(command + ": invalid data structure reference: " + typeName);
            }
            return s;
        } catch (TypeException e) {
            throw new UsageException(command + ": " + e.getMessage());
        }
    }

    /**
     * {@return the object at {@code addr} as gdb prints it: the whole struct, or one line per wanted member
     * ({@code "  pid = 1,"}), as crash's {@code struct NAME ADDR} and {@code list -s} show them}
     */
    static List<String> contents(Program p, String command, Type.Struct s, List<String> wanted, long addr) throws MemoryFault, UsageException {
        byte[] bytes = new KernelObject(p, s, addr).bytes(1 << 24);
        dev.kdive.program.GdbFormat values = new dev.kdive.program.GdbFormat(p.kernel());
        List<String> lines = new ArrayList<>();
        if (wanted.isEmpty()) {
            lines.addAll((s.keyword() + " " + s.name() + " " + values.format(s, bytes, 0, 0, 0, 0)).lines().toList());
        } else {
            for (String w : wanted) {
                Type.Member m = member(command, s, w);
                String v = m.bitSize() > 0 ? values.format(m.type().get(), bytes, 0, m.bitOffset(), m.bitSize(), 2)
                        : values.format(m.type().get(), bytes, (int) m.offset(), 0, 0, 2);
                lines.add("  " + w + " = " + v + ",");
            }
        }
        return lines;
    }

    /** What {@code -s STRUCT[.MEMBER,…]} asks list and tree to print of each entry: the struct, and the members (all when empty). */
    record Selection(Type.Struct struct, List<String> members) {}

    /** {@return the selection a {@code -s} spec names, its members checked before any walk} */
    static Selection selection(Program p, String command, String spec) throws UsageException {
        int dot = spec.indexOf('.');
        Type.Struct s = lookup(p, command, dot < 0 ? spec : spec.substring(0, dot));
        List<String> members = dot < 0 ? List.of() : List.of(spec.substring(dot + 1).split(","));
        for (String m : members) {
            member(command, s, m);
        }
        return new Selection(s, members);
    }

    /** {@return an offset as crash takes one: a number of bytes, or {@code struct.member[.member]}} */
    static long offset(Program p, String command, String text) throws UsageException {
        int dot = text.indexOf('.');
        if (dot > 0 && !Character.isDigit(text.charAt(0))) {
            return member(command, lookup(p, command, text.substring(0, dot)), text.substring(dot + 1)).offset();
        }
        return Args.number(command, text);
    }

    /** {@return a member by name or dotted path, its offset from the struct's start} */
    static Type.Member member(String command, Type.Struct s, String name) throws UsageException {
        Type.Struct at = s;
        long base = 0;
        Type.Member found = null;
        for (String part : name.split("\\.")) {
            Optional<Type.Member> m = at.member(part);
            if (m.isEmpty()) {
                throw new UsageException(command + ": " + s.keyword() + " " + s.name() + " has no member " + name);
            }
            found = new Type.Member(m.get().name(), m.get().type(), base + m.get().bitOffset(), m.get().bitSize());
            base = found.bitOffset();
            if (found.type().get().resolved() instanceof Type.Struct inner) {
                at = inner;
            }
        }
        return found;
    }

    /** Members in declaration order; anonymous structs and unions inline, as crash shows them. */
    static void layout(Type.Struct s, long baseBits, int depth, boolean offsets, List<String> lines,
                               List<Member> members, String path) {
        for (Type.Member m : s.members()) {
            long bits = baseBits + m.bitOffset();
            Type t = m.type().get();
            if (m.name().isEmpty() && t.resolved() instanceof Type.Struct inner && inner.name().isEmpty()) {
                lines.add(indent(depth, offsets, bits) + inner.keyword() + " {");
                layout(inner, bits, depth + 1, offsets, lines, members, path);
                lines.add("    ".repeat(depth) + (offsets ? " ".repeat(prefixWidth(bits)) : "") + "};");
                continue;
            }
            lines.add(memberLine(m, bits, depth, offsets));
            members.add(describe(path + m.name(), m, bits));
        }
    }

    private static Member describe(String name, Type.Member m, long bits) {
        boolean field = m.bitSize() > 0;
        return new Member(name, bits / 8, m.type().get().size(), field ? bits % 8 : null, field ? m.bitSize() : null,
                Declarations.name(m.type().get()));
    }

    private static String memberLine(Type.Member m, long bits, int depth, boolean offsets) {
        String decl = Declarations.declaration(m.type().get(), m.name());
        if (m.bitSize() > 0) {
            decl += " : " + m.bitSize();
        }
        return indent(depth, offsets, bits) + decl + ";";
    }

    private static int prefixWidth(long bits) {
        return ("[0x" + Long.toHexString(bits / 8) + "] ").length();
    }

    private static String indent(int depth, boolean offsets, long bits) {
        return "    ".repeat(depth) + (offsets ? "[0x" + Long.toHexString(bits / 8) + "] " : "");
    }
}
