package dev.kdive.kernel;

import dev.kdive.arch.x86_64.CpuState;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.dwarf.DwarfException;
import dev.kdive.dwarf.SourceLines;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.symbols.Symbol;
import dev.kdive.types.Type;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongFunction;

/**
 * Tasks' kernel stacks: which task panicked, where a task's unwinding starts, and its
 * {@link Backtrace} (arch/x86/kernel/unwind_orc.c is the unwinder this mirrors; crash's bt the
 * output it feeds).
 */
public final class Stacks {
    private Stacks() {
    }

    /** What a backtrace carries besides the frames: source lines (crash's bt -l), stack words (bt -f). */
    public record Detail(boolean lines, boolean stackWords) {
        public static final Detail FRAMES = new Detail(false, false);
    }

    /** {@return the CPU that panicked: the kernel's {@code panic_cpu} (kernel/panic.c), when it was set} */
    public static OptionalInt panicCpu(Program p) {
        try {
            int cpu = (int) p.kernel().u32(p.address("panic_cpu"));
            return cpu >= 0 && cpu < p.cpus().size() ? OptionalInt.of(cpu) : OptionalInt.empty();
        } catch (MemoryFault | UnknownSymbolException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * {@return the task that was running on the CPU that panicked (crash's default context); empty
     * when {@code panic_cpu} was never set}
     */
    public static Optional<Task> panicTask(Program p) throws MemoryFault, UnknownSymbolException {
        OptionalInt cpu = panicCpu(p);
        if (cpu.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Tasks.find(p, Tasks.current(p, cpu.getAsInt())));
    }

    /**
     * {@return the registers a task's unwinding starts from: its CPU's, from the dump's CPU notes,
     * when it was running on one; else those {@code __switch_to_asm} saved in a
     * {@code struct inactive_task_frame} at {@code thread.sp} (arch/x86/include/asm/switch_to.h)}
     */
    public static Map<String, Long> taskStartRegisters(Program p, Task t) throws MemoryFault, UnknownSymbolException {
        for (CpuState c : p.cpus()) {
            if (c.cpu() < p.perCpuOffsets().length && Tasks.current(p, c.cpu()) == t.address()) {
                return c.registers();
            }
        }
        KernelObject task = KernelObject.at(p, "task_struct", t.address());
        long sp = task.read("thread.sp");
        KernelObject frame = KernelObject.at(p, "inactive_task_frame", sp);
        Map<String, Long> r = new LinkedHashMap<>();
        r.put("ip", frame.read("ret_addr"));
        r.put("sp", sp + frame.member("ret_addr").offset() + 8);
        r.put("bp", frame.read("bp"));
        return r;
    }

    /**
     * {@return a task's backtrace from its start registers; a task whose saved frame cannot be read
     * gets a backtrace without frames that says why}
     *
     * @throws IOException when source lines were asked for and the vmlinux cannot be read
     * @throws DumpFormatException when source lines were asked for and the vmlinux's DWARF is unusable
     * @throws UnknownSymbolException when the kernel has no ORC tables
     * @throws MemoryFault when their bounds cannot be read
     */
    public static Backtrace backtrace(Program p, Task t, Detail detail)
            throws MemoryFault, UnknownSymbolException, IOException, DumpFormatException {
        OrcUnwinder unwinder = OrcUnwinder.of(p);
        Map<String, Long> start;
        try {
            start = taskStartRegisters(p, t);
        } catch (MemoryFault f) {
            return new Backtrace(t, List.of(), f.getMessage(), f.getMessage());
        }
        return backtrace(p, t, unwinder.unwind(start), detail);
    }

    /**
     * {@return the backtrace of the task running on each CPU, from that CPU's registers in the
     * dump (crash's bt -a)}
     */
    public static List<Backtrace> eachCpu(Program p, Detail detail) throws MemoryFault, UnknownSymbolException, IOException, DumpFormatException {
        OrcUnwinder unwinder = OrcUnwinder.of(p);
        Tasks.Finder tasks = Tasks.finder(p);
        List<Backtrace> all = new ArrayList<>();
        for (CpuState c : p.cpus()) {
            all.add(backtrace(p, tasks.find(Tasks.current(p, c.cpu())), unwinder.unwind(c.registers()), detail));
        }
        return all;
    }

    private static Backtrace backtrace(Program p, Task t, OrcUnwinder.Trace trace, Detail detail) throws IOException, DumpFormatException {
        LongFunction<List<SourceLines.Frame>> vmlinuxLines = detail.lines() ? p.sourceLines().orElse(null) : null;
        List<OrcUnwinder.Frame> in = trace.frames();
        List<Backtrace.Frame> out = new ArrayList<>();
        int level = 0;
        for (int i = 0; i < in.size(); i++) {
            OrcUnwinder.Frame f = in.get(i);
            boolean user = f.ip() >= 0;
            long site = f.callSite();
            Optional<Symbol> s = user ? Optional.empty() : p.symbolContaining(site);
            String module = user || Long.compareUnsigned(f.ip(), p.layout().modulesStart()) < 0 ? null
                    : Modules.of(p).containing(f.ip()).map(Module::name).orElse(null);
            Backtrace.SourceLine source = null;
            String sourceProblem = null;
            if (detail.lines() && !user) {
                try {
                    Optional<SourceLines.Frame> where = module == null && Long.compareUnsigned(f.ip(), p.layout().modulesStart()) < 0
                            ? Optional.ofNullable(vmlinuxLines).map(l -> l.apply(site).getFirst())
                            : ModuleDebugFiles.of(p).frames(site, List.of()).map(List::getFirst);
                    source = where.filter(w -> w.file() != null).map(w -> new Backtrace.SourceLine(w.file(), w.line())).orElse(null);
                } catch (DwarfException | IOException | DumpFormatException e) {
                    sourceProblem = e.getMessage();
                }
            }
            List<Long> words = null;
            String fault = null;
            if (detail.stackWords() && !user) {
                words = new ArrayList<>();
                if (i + 1 < in.size()) {
                    fault = stackWords(p, f.sp(), in.get(i + 1).sp(), words);
                }
            }
            out.add(new Backtrace.Frame(user ? -1 : level++, f.exact() ? f.sp() : f.sp() - 8, f.ip(), f.exact(),
                    s.map(Symbol::name).orElse(null), s.map(sym -> f.ip() - sym.address()).orElse(0L), module,
                    f.exceptionRegisters(), source, sourceProblem, words, fault));
        }
        return new Backtrace(t, out, trace.end(), null);
    }

    /**
     * Reads the stack words of a frame, from its return-address slot up to the next frame's (crash's
     * bt -f); nothing when the next frame is on another stack.
     *
     * @return why the read at the first missing word failed, or null
     */
    private static String stackWords(Program p, long from, long to, List<Long> words) {
        if (Long.compareUnsigned(to, from) <= 0 || to - from > 64 * 1024) {
            return null;
        }
        for (long a = from; Long.compareUnsigned(a, to) < 0; a += 8) {
            try {
                words.add(p.kernel().u64(a));
            } catch (MemoryFault e) {
                return e.reason(); // at from + 8 * words.size()
            }
        }
        return null;
    }

    /** One stack word that holds a kernel text address: where, the value, its function and module (null for the kernel's). */
    public record TextWord(@dev.kdive.value.Hex long address, @dev.kdive.value.Hex long value, String function, String module) {}

    /**
     * crash's {@code bt -t}/{@code -T}: every word on a task's kernel stack that points into kernel or
     * module text, from the first frame's stack pointer ({@code whole}: from the stack's base) to its
     * top ({@code task->stack} + THREAD_SIZE); return addresses and stale ones alike.
     *
     * @param start the frame the scan starts at (the backtrace's first), or null for the stack's base
     */
    public record TextOnStack(Task task, Backtrace.Frame start, List<TextWord> words, Map<String, Long> userRegisters) {}

    public static TextOnStack textOnStack(Program p, Task t, boolean whole) throws MemoryFault, UnknownSymbolException, IOException, DumpFormatException {
        Backtrace b = backtrace(p, t, Detail.FRAMES);
        long base = KernelObject.at(p, "task_struct", t.address()).read("stack");
        long size = Machine.threadSize(p).orElse(16384);
        long top = base + size;
        Backtrace.Frame first = b.frames().isEmpty() ? null : b.frames().getFirst();
        long from = !whole && first != null && Long.compareUnsigned(first.sp(), base) >= 0 && Long.compareUnsigned(first.sp(), top) < 0
                ? first.sp() : base;
        Modules.Walk mods = Modules.of(p);
        List<TextWord> words = new ArrayList<>();
        for (long a = from; Long.compareUnsigned(a, top) < 0; a += 8) {
            long v;
            try {
                v = p.kernel().u64(a);
            } catch (MemoryFault f) {
                continue; // a page the dump lacks: the words beyond it may still be there
            }
            if (v >= 0) {
                continue; // not a kernel address
            }
            TextWord w = textWord(p, mods, a, v);
            if (w != null) {
                words.add(w);
            }
        }
        Map<String, Long> user = null;
        if (!b.frames().isEmpty() && b.frames().getLast().userMode()) {
            user = b.frames().getLast().exceptionRegisters();
        }
        return new TextOnStack(t, whole ? null : first, words, user);
    }

    /** {@return the stack word as a text address, or null when it is none} */
    private static TextWord textWord(Program p, Modules.Walk mods, long address, long v) {
        TextSymbol t = textSymbol(p, mods, v);
        return t == null ? null : new TextWord(address, v, t.symbol().name(), t.module());
    }

    /** A text symbol and the module it is in (null: the kernel's). */
    private record TextSymbol(Symbol symbol, String module) {}

    /** {@return the kernel or module text symbol {@code v} falls in, or null when it is in no text} */
    private static TextSymbol textSymbol(Program p, Modules.Walk mods, long v) {
        Optional<dev.kdive.kernel.Module> m = Long.compareUnsigned(v, p.layout().modulesStart()) >= 0 ? mods.containing(v) : Optional.empty();
        Optional<Symbol> sym = m.isPresent() ? m.get().symbols().containing(v) : p.symbols().containing(v);
        if (sym.isPresent() && sym.get().isText() && (m.isEmpty() || m.get().text().contains(v))) {
            return new TextSymbol(sym.get(), m.map(dev.kdive.kernel.Module::name).orElse(null));
        }
        return null;
    }

    /**
     * One {@code struct pt_regs} found on a stack by its contents.
     *
     * @param address  where the pt_regs starts
     * @param function the function of a kernel-mode RIP, {@code offset} into it and its {@code module}
     *                 (null: the kernel's); null in user mode
     */
    public record ExceptionFrame(@dev.kdive.value.Hex long address, boolean userMode, Map<String, Long> registers,
                                 String function, long offset, String module) {}

    /** The exception frames on one task's kernel stack, in address order. */
    public record ExceptionFrames(Task task, List<ExceptionFrame> frames, List<dev.kdive.finding.Finding> findings) {}

    // Segment selectors (arch/x86/include/asm/segment.h, 64-bit): __KERNEL_CS, __KERNEL_DS, __USER_CS, __USER_DS.
    private static final long KERNEL_CS = 0x10;
    private static final long KERNEL_DS = 0x18;
    private static final long USER_CS = 0x33;
    private static final long USER_DS = 0x2b;
    /** RFLAGS bits that read as zero (arch/x86/include/uapi/asm/processor-flags.h: 3, 5, 15, 22-63); bit 1 reads as one. */
    private static final long RFLAGS_ZERO = 0xffffffffffc08028L;

    /**
     * crash's {@code bt -e}: every place on a task's kernel stack ({@code task->stack} to
     * THREAD_SIZE above it) where the words read as a {@code struct pt_regs} an exception, interrupt
     * or system call left: RFLAGS with its fixed bits right, and either kernel selectors with RIP in
     * kernel or module text and a kernel RSP, or user selectors with user RIP and RSP. Stale frames
     * of earlier entries count too; that is what the search is for.
     */
    public static ExceptionFrames exceptionFrames(Program p, Task t) throws MemoryFault, UnknownSymbolException {
        Type.Struct regs = (Type.Struct) p.types().lookup("struct pt_regs").map(Type::resolved)
                .filter(x -> x instanceof Type.Struct).orElseThrow(() -> new UnknownSymbolException("struct pt_regs is not in the types"));
        long base = KernelObject.at(p, "task_struct", t.address()).read("stack");
        long top = base + Machine.threadSize(p).orElse(16384);
        Modules.Walk mods = Modules.of(p);
        long userTop = p.layout().fiveLevel() ? 1L << 56 : 1L << 47;
        List<ExceptionFrame> out = new ArrayList<>();
        List<dev.kdive.finding.Finding> findings = new ArrayList<>();
        for (long a = base; Long.compareUnsigned(a + regs.size(), top) <= 0; a += 8) {
            Map<String, Long> r;
            try {
                r = ptRegs(p, regs, a, 0);
            } catch (MemoryFault f) {
                findings.add(dev.kdive.finding.UnreadableMemory.of("pt_regs candidate at " + Long.toHexString(a) + " on the stack of pid " + t.pid(), f));
                a = (a | 0xfff); // the rest of that page is missing too
                a -= 7;
                continue;
            }
            long flags = r.get("flags");
            long cs = r.get("cs");
            long ss = r.get("ss");
            long ip = r.get("ip");
            long sp = r.get("sp");
            if ((flags & RFLAGS_ZERO) != 0 || (flags & 2) == 0) {
                continue;
            }
            if (cs == KERNEL_CS && sp < 0) {
                TextSymbol text = textSymbol(p, mods, ip);
                // Entries that do not switch stacks may leave SS zero: then RSP must be just above the frame.
                if (text != null && (ss == KERNEL_DS || sp == a + regs.size() || sp == a + regs.size() + 8)) {
                    out.add(new ExceptionFrame(a, false, r, text.symbol().name(), ip - text.symbol().address(), text.module()));
                }
            } else if (cs == USER_CS && ss == USER_DS && ip >= 0 && ip < userTop && sp >= 0 && sp < userTop) {
                out.add(new ExceptionFrame(a, true, r, null, 0, null));
            }
        }
        return new ExceptionFrames(t, out, findings);
    }

    /**
     * {@return the registers of the {@code struct pt_regs} at {@code base}, by the names of its
     * members, from {@code fromOffset} on (an IRET frame is the tail from {@code ip})}; {@code cs} and
     * {@code ss}, u16 in 6.9+'s unions, keep their own width.
     */
    static Map<String, Long> ptRegs(Program p, Type.Struct regs, long base, long fromOffset) throws MemoryFault {
        Map<String, Long> r = new LinkedHashMap<>();
        for (Type.Member m : regs.namedMembers()) {
            if (m.offset() >= fromOffset) {
                long size = m.type().get().resolved().size();
                long v = p.kernel().u64(base + m.offset());
                r.put(m.name(), size >= 8 ? v : v & ((1L << (8 * size)) - 1));
            }
        }
        return r;
    }
}
