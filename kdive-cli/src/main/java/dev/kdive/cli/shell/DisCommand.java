package dev.kdive.cli.shell;

import dev.kdive.kernel.ModuleDebugFiles;
import dev.kdive.disasm.Disassembler;
import dev.kdive.disasm.Instruction;
import dev.kdive.dump.MemoryFault;
import dev.kdive.dwarf.SourceLines;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private static final byte[] NOP5 = {0x0f, 0x1f, 0x44, 0x00, 0x00};
    private Disassembler disassembler;

    @Override
    public String name() {
        return "dis";
    }

    @Override
    public String synopsis() {
        return "dis [-l] [-r] ADDR|FUNC [COUNT]   disassemble (AT&T, objdump spelling); a function whole, COUNT instructions, -r up to ADDR, -l lines";
    }

    /** One instruction as shown, and the source line that starts before it (for -l). */
    record Line(Instruction insn, String where, String text, Optional<String> source) {}

    record Listing(List<Line> lines, List<String> problems) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (Line l : lines) {
                l.source().ifPresent(out::println);
                out.println("0x" + Long.toHexString(l.insn().address()) + (l.where().isEmpty() ? "" : " <" + l.where() + ">") + ":\t" + l.text());
            }
            problems.forEach(p -> out.println("dis: " + p));
        }

        @Override
        public Object json() {
            List<Object> list = new ArrayList<>();
            for (Line l : lines) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("address", Hex.of(l.insn().address()));
                j.put("symbol", l.where());
                j.put("bytes", java.util.HexFormat.of().formatHex(l.insn().bytes()));
                j.put("mnemonic", l.insn().mnemonic());
                j.put("operands", l.insn().operands());
                j.put("text", l.text());
                l.insn().target().ifPresent(t -> j.put("target", Hex.of(t)));
                l.source().ifPresent(s -> j.put("source", s));
                list.add(j);
            }
            return Map.of("instructions", list, "problems", problems);
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
        List<String> problems = new ArrayList<>();
        byte[] code = readUpTo(p, start, (int) Math.min(end - start + (args.has("-r") ? 14 : 0), MAX_FUNCTION), problems);
        List<Instruction> insns = new ArrayList<>(disassembler.decode(code, start));
        // (An __init function freed after boot is all INT3 fill, and objtool's __pfx_FUNC (6.2+) is
        // all NOPs, the padding before FUNC: each shown as it is, as crash shows them.)
        if (count == Integer.MAX_VALUE && !args.has("-r") && !insns.stream().allMatch(i -> i.mnemonic().equals("int3"))
                && !insns.stream().allMatch(DisCommand::padding)) {
            // kallsyms has no sizes: a function runs to the next symbol, over the padding the
            // compiler put after its last instruction (NOPs, or INT3s in noinstr code). The INT3s
            // right after a RET are the function's own: the 5-byte jump to the return thunk that
            // the kernel patched into "ret" and four INT3s at boot (arch/x86/kernel/alternative.c).
            // A function the linker dropped (a weak one overridden elsewhere) leaves code without a
            // kallsyms name: a function also ends where padding leads to another function's entry,
            // the ftrace call (or its NOP) or ENDBR64 at a 16-byte boundary.
            for (int k = 1; k < insns.size(); k++) {
                if ((insns.get(k).address() & 15) == 0 && padding(insns.get(k - 1)) && entry(p, insns.get(k))) {
                    while (insns.size() > k) {
                        insns.removeLast();
                    }
                    break;
                }
            }
            while (!insns.isEmpty() && padding(insns.getLast())) {
                insns.removeLast();
            }
            int ret = insns.size();
            while (ret > 0 && insns.get(ret - 1).mnemonic().equals("int3")) {
                ret--;
            }
            if (ret > 0 && ret < insns.size() && insns.get(ret - 1).mnemonic().equals("ret")) {
                ret = Math.min(insns.size(), ret + 4);
            }
            while (insns.size() > ret) {
                insns.removeLast();
            }
        }
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
            problems.add("no instructions at " + Long.toHexString(start));
        }
        return new Listing(lines, problems);
    }

    /** NOPs of every length the assembler pads with (66 90 is xchg %ax,%ax). */
    private static boolean padding(Instruction i) {
        return i.mnemonic().contains("nop") || i.mnemonic().equals("xchg") && i.operands().equals("%ax,%ax");
    }

    /** A function's first instruction: the call to __fentry__ (or ftrace's NOP of it), or ENDBR64. */
    private static boolean entry(Program p, Instruction i) {
        if (java.util.Arrays.equals(i.bytes(), NOP5) || i.mnemonic().equals("endbr64")) {
            return true;
        }
        return i.mnemonic().equals("call") && i.target().isPresent()
                && p.symbolContaining(i.target().getAsLong()).map(s -> s.name().equals("__fentry__")).orElse(false);
    }

    private static byte[] readUpTo(Program p, long start, int length, List<String> problems) {
        try {
            return p.kernel().read(start, length);
        } catch (MemoryFault f) {
            problems.add(f.getMessage());
            int n = (int) Math.max(0, Math.min(length, f.address() - start));
            try {
                return p.kernel().read(start, n);
            } catch (MemoryFault again) {
                return new byte[0];
            }
        }
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
        if (java.util.Arrays.equals(i.bytes(), NOP5)) {
            long off = p.symbolContaining(i.address()).map(fn -> i.address() - fn.address()).orElse(-1L);
            if (off == 0 || off == 4) { // after endbr64 when IBT is on
                b.append(" [FTRACE NOP]");
            }
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
