package dev.kdive.cli.shell;

import dev.kdive.kernel.KernelText;
import dev.kdive.kernel.ModuleDebugFiles;
import dev.kdive.disasm.Disassembler;
import dev.kdive.disasm.Instruction;
import dev.kdive.dwarf.SourceLines;
import dev.kdive.finding.Finding;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * {@code dis [-l] [-r] ADDR|FUNC [COUNT]}: x86-64 disassembly of the code in the dump's memory
 * (so live patching, alternatives and ftrace's NOPs show as they ran), in crash's layout: gdb's
 * {@code 0xADDR <func+off>:} and the instruction in objdump's AT&T spelling, branch targets named.
 */
final class DisCommand implements ShellCommand {
    private static final int MAX_FUNCTION = 1 << 20;
    private Disassembler disassembler;

    @Override
    public String name() {
        return "dis";
    }

    @Override
    public String synopsis() {
        return "dis [-l] [-r] ADDR|FUNC [COUNT]   disassemble (AT&T, objdump spelling); a function whole, COUNT instructions, -r up to ADDR, -l lines";
    }

    @Override
    public String example() {
        return "dis schedule 8           the first 8 instructions of schedule() (-l adds source lines with --vmlinux)";
    }

    /** One instruction as shown, and the source line that starts before it (for -l). */
    record Line(Instruction insn, String where, String text, Optional<String> source) {
        /** {@return the line as crash's dis prints it: {@code 0xADDR <fn+off>:\tinstruction}} */
        String render() {
            return "0x" + Long.toHexString(insn.address()) + (where.isEmpty() ? "" : " <" + where + ">") + ":\t" + text;
        }
    }

    /** One instruction as data, for JSON. */
    record Insn(@dev.kdive.value.Hex long address, String symbol, String bytes, String mnemonic, String operands, String text,
                @dev.kdive.value.Hex Long target, String source) {}

    /** The listing as data: its instructions, and why it stops short, if it does. */
    record Instructions(List<Insn> instructions, List<Finding> problems) {}

    record Listing(List<Line> lines, List<Finding> problems) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (Line l : lines) {
                l.source().ifPresent(out::println);
                out.println(l.render());
            }
            problems.forEach(p -> out.println("dis: " + p.summary()));
        }

        @Override
        public Object json() {
            return new Instructions(lines.stream().map(l -> new Insn(l.insn().address(), l.where(), java.util.HexFormat.of().formatHex(l.insn().bytes()),
                    l.insn().mnemonic(), l.insn().operands(), l.text(), l.insn().target().isPresent() ? l.insn().target().getAsLong() : null,
                    l.source().orElse(null))).toList(), problems);
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("dis", raw, Set.of("-l", "-r"), Set.of());
        if (args.operands().isEmpty() || args.operands().size() > 2) {
            throw new UsageException("dis: usage: dis [-l] [-r] ADDR|FUNC [COUNT]");
        }
        if (disassembler == null) {
            try {
                disassembler = Disassembler.x86_64();
            } catch (Disassembler.Unavailable e) {
                throw new UsageException("dis: " + e.getMessage());
            }
        }
        String what = args.operands().getFirst();
        long addr = Args.address(p, "dis", what);
        Symbol fn = p.symbolContaining(addr).orElse(null);
        long start;
        long end; // exclusive; for COUNT, a bound on the bytes read
        int count = Integer.MAX_VALUE;
        if (args.has("-r")) {
            if (fn == null) {
                throw new UsageException("dis: -r: " + Long.toHexString(addr) + " is in no known function");
            }
            start = fn.address();
            end = addr + 1; // up to and including the instruction at ADDR
        } else if (args.operands().size() == 2) {
            count = (int) Args.number("dis", args.operands().get(1));
            start = addr;
            end = addr + 15L * count;
        } else if (fn != null && fn.address() == addr && fn.size() > 0) {
            start = addr; // a function's start: the whole function, as crash does
            end = addr + Math.min(fn.size(), MAX_FUNCTION);
        } else {
            count = 1;
            start = addr;
            end = addr + 15;
        }
        List<Finding> problems = new ArrayList<>();
        KernelText.Code code = KernelText.decode(p, disassembler, start, (int) Math.min(end - start + (args.has("-r") ? 14 : 0), MAX_FUNCTION));
        if (code.fault() != null) {
            problems.add(code.fault());
        }
        List<Instruction> insns = count == Integer.MAX_VALUE && !args.has("-r")
                ? KernelText.lastWhole(p, disassembler, KernelText.functionBody(p, code.instructions())) : code.instructions();
        LongFunction<List<SourceLines.Frame>> source = null;
        if (args.has("-l")) {
            try {
                source = p.sourceLines().orElseThrow(() -> new UsageException("dis: -l needs the vmlinux with DWARF (--vmlinux)"));
            } catch (java.io.IOException | dev.kdive.dump.DumpFormatException e) {
                throw new UsageException("dis: " + e.getMessage());
            }
        }
        List<Line> lines = new ArrayList<>();
        String lastSource = null;
        for (Instruction i : insns) {
            if (lines.size() >= count || Long.compareUnsigned(i.address(), end) >= 0) {
                break;
            }
            if (i.kind() == Instruction.Kind.TRUNCATED && !problems.isEmpty()) {
                break; // the bytes ran out where the memory did: the problem says why
            }
            Optional<String> src = Optional.empty();
            if (source != null) {
                String s = sourceLine(p, source, i.address());
                if (s != null && !s.equals(lastSource)) {
                    src = Optional.of(s);
                    lastSource = s;
                }
            }
            lines.add(new Line(i, where(p, i.address()), text(p, i), src));
        }
        if (lines.isEmpty() && problems.isEmpty()) {
            problems.add(new dev.kdive.finding.Unavailable("instructions at " + Long.toHexString(start), "none decode there"));
        }
        return new Listing(lines, problems);
    }

    /** gdb's {@code <func+off>} with a decimal offset, as crash prints it. */
    private static String where(Program p, long addr) {
        return p.symbolContaining(addr).isPresent() ? BtCommand.symbolize(p, addr, false) : "";
    }

    /**
     * The instruction as crash (gdb) prints it: objdump's spelling with targets as {@code 0x}
     * addresses and {@code <func+decimal>}; a 5-byte NOP at a function's entry is the call to
     * {@code __fentry__} that ftrace patched out, marked as crash marks it.
     */
    private static String text(Program p, Instruction i) {
        StringBuilder b = new StringBuilder(i.mnemonic());
        String ops = i.operands();
        if (i.target().isPresent()) {
            ops = ops.replace(Long.toHexString(i.target().getAsLong()), "0x" + Long.toHexString(i.target().getAsLong()));
        }
        if (!ops.isEmpty()) {
            b.repeat(' ', Math.max(0, 6 - b.length())).append(' ').append(ops);
        }
        i.target().ifPresent(t -> p.symbolContaining(t).ifPresent(s -> b.append(" <").append(where(p, t)).append('>')));
        i.memoryAddress().ifPresent(m -> {
            b.append("        # 0x").append(Long.toHexString(m));
            // gdb names kernel addresses only, not per-cpu offsets like 0x199e8 (this_cpu_off); and
            // kallsyms has no sizes for data, so a name far below the address says nothing.
            if (m < 0) {
                p.symbolContaining(m).filter(s -> m - s.address() < 1 << 16).ifPresent(s -> b.append(" <").append(where(p, m)).append('>'));
            }
        });
        if (KernelText.ftraceNop(p, i)) {
            b.append(" [FTRACE NOP]");
        }
        return b.toString();
    }

    private static String sourceLine(Program p, LongFunction<List<SourceLines.Frame>> source, long addr) {
        try {
            List<SourceLines.Frame> frames = Long.compareUnsigned(addr, p.layout().modulesStart()) < 0 ? source.apply(addr)
                    : ModuleDebugFiles.of(p).frames(addr, List.of()).orElse(List.of());
            if (frames.isEmpty() || frames.getFirst().file() == null) {
                return null;
            }
            return frames.getFirst().file() + ": " + frames.getFirst().line();
        } catch (dev.kdive.dwarf.DwarfException | java.io.IOException | dev.kdive.dump.DumpFormatException e) {
            return null;
        }
    }
}
