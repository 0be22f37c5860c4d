package dev.kdive.cli.shell;

import dev.kdive.arch.x86_64.CpuState;
import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.OrcUnwinder;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.symbols.Symbol;
import dev.kdive.types.TypeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code bt [PID]}: a task's kernel stack unwound with ORC, crash's layout: "#N [SP] FUNC at IP"
 * with module names, and an exception frame's "[exception RIP: FUNC+OFF]" and registers. The task
 * running on the panic CPU starts from that CPU's registers in the dump; a sleeping task from its
 * saved frame (thread.sp, struct inactive_task_frame).
 */
final class BtCommand implements ShellCommand {
    // crash's exception-frame layout (x86_64.c x86_64_exception_frame): rows and label widths.
    private static final String[][] REGISTER_ROWS = {{"ax", "bx", "cx"}, {"dx", "si", "di"}, {"bp", "r8", "r9"},
        {"r10", "r11", "r12"}, {"r13", "r14", "r15"}};
    private final Session session;

    BtCommand(Session session) {
        this.session = session;
    }

    @Override
    public String name() {
        return "bt";
    }

    @Override
    public String synopsis() {
        return "bt [-l] [-f] [PID] | bt -a    kernel stack trace (ORC), exception frames with registers; -l lines, -f frame data, -a every CPU";
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("bt", raw, java.util.Set.of("-a", "-l", "-f"), java.util.Set.of());
        if (args.operands().size() > 1 || args.has("-a") && !args.operands().isEmpty()) {
            throw new UsageException("bt: usage: bt [-l] [-f] [PID] | bt -a [-l] [-f]");
        }
        Style style = style(p, args);
        try {
            OrcUnwinder unwinder = new OrcUnwinder(p);
            if (args.has("-a")) { // every CPU's task, from that CPU's registers in the dump
                List<String> all = new ArrayList<>();
                for (CpuState c : p.cpus()) {
                    long current = Tasks.current(p, c.cpu());
                    Task t = findTask(p, current);
                    if (!all.isEmpty()) {
                        all.add("");
                    }
                    all.addAll(trace(p, t, unwinder.unwind(c.registers()), style));
                }
                return new Text(all);
            }
            Task t = target(p, args.operands());
            return new Text(trace(p, t, unwinder.unwind(startRegisters(p, t)), style));
        } catch (TypeException | UnknownSymbolException e) {
            throw new UsageException("bt: " + e.getMessage());
        } catch (MemoryFault f) {
            return Text.of("bt: " + f.getMessage());
        }
    }

    /** How frames are printed: with source lines (-l), with the stack words of each frame (-f). */
    record Style(java.util.function.LongFunction<List<dev.kdive.dwarf.SourceLines.Frame>> source, boolean frameData) {}

    static Style style(Program p, Args args) throws UsageException {
        java.util.function.LongFunction<List<dev.kdive.dwarf.SourceLines.Frame>> source = null;
        if (args.has("-l")) {
            try {
                source = p.sourceLines().orElseThrow(() -> new UsageException("bt: -l needs the vmlinux with DWARF (--vmlinux)"));
            } catch (java.io.IOException | dev.kdive.dump.DumpFormatException e) {
                throw new UsageException("bt: " + e.getMessage());
            }
        }
        return new Style(source, args.has("-f"));
    }

    /** {@return the trace of one task: from its CPU's registers when it runs on one, else from its saved frame} */
    static List<String> trace(Program p, OrcUnwinder unwinder, Task t, Style style) throws MemoryFault, UnknownSymbolException {
        return trace(p, t, unwinder.unwind(startRegisters(p, t)), style);
    }

    private static Task findTask(Program p, long address) throws MemoryFault, UnknownSymbolException, UsageException {
        for (Task t : Tasks.walk(p).tasks()) {
            if (t.address() == address) {
                return t;
            }
        }
        for (Task t : Tasks.idle(p)) {
            if (t.address() == address) {
                return t;
            }
        }
        throw new UsageException("bt: task " + Long.toHexString(address) + " is in no task list");
    }

    private static List<String> trace(Program p, Task t, OrcUnwinder.Trace trace, Style style) {
        var source = style.source();
        {
            List<String> lines = new ArrayList<>();
            lines.add(String.format("PID: %-6d  TASK: %x  CPU: %-3d  COMMAND: \"%s\"", t.pid(), t.address(), t.cpu(), t.comm()));
            int n = 0;
            List<OrcUnwinder.Frame> frames = trace.frames();
            for (int i = 0; i < frames.size(); i++) {
                OrcUnwinder.Frame f = frames.get(i);
                if (f.exceptionRegisters() != null) {
                    Map<String, Long> r = f.exceptionRegisters();
                    if (f.ip() < 0) { // a user-mode frame has no kernel symbol to name
                        lines.add("    [exception RIP: " + symbolize(p, f.ip(), false) + "]");
                    }
                    lines.add(String.format("    RIP: %016x  RSP: %016x  RFLAGS: %08x", r.get("ip"), r.get("sp"), r.get("flags")));
                    for (String[] row : REGISTER_ROWS) {
                        StringBuilder b = new StringBuilder();
                        for (String reg : row) {
                            if (r.containsKey(reg)) {
                                String label = reg.startsWith("r") ? reg.toUpperCase() : "R" + reg.toUpperCase();
                                b.append(String.format("%s%3s: %016x", b.isEmpty() ? "    " : "  ", label, r.get(reg)));
                            }
                        }
                        if (!b.isEmpty()) {
                            lines.add(b.toString());
                        }
                    }
                    lines.add(String.format("    ORIG_RAX: %016x  CS: %04x  SS: %04x", r.getOrDefault("orig_ax", 0L),
                            r.getOrDefault("cs", 0L), r.getOrDefault("ss", 0L)));
                    if (f.ip() >= 0) {
                        continue; // the user-mode registers end the trace
                    }
                }
                lines.add(String.format("%s#%d [%x] %s at %x%s", n < 10 ? " " : "", n, f.exact() ? f.sp() : f.sp() - 8, symbolize(p, f.callSite(), true),
                        f.ip(), module(p, f.ip())));
                if (source != null && f.ip() < 0 && Long.compareUnsigned(f.ip(), p.layout().modulesStart()) < 0) {
                    try { // crash's bt -l: the frame's file and line on the next line
                        var where = source.apply(f.callSite()).getFirst();
                        if (where.file() != null) {
                            lines.add("    " + where.file() + ": " + where.line());
                        }
                    } catch (dev.kdive.dwarf.DwarfException e) {
                        lines.add("    (no line: " + e.getMessage() + ")");
                    }
                } else if (source != null && f.ip() < 0) {
                    try { // a module frame: lines from the object file given with mod -s
                        p.moduleFrames(f.callSite(), List.of()).map(List::getFirst).filter(w -> w.file() != null)
                                .ifPresent(w -> lines.add("    " + w.file() + ": " + w.line()));
                    } catch (java.io.IOException | dev.kdive.dump.DumpFormatException | dev.kdive.dwarf.DwarfException e) {
                        lines.add("    (no line: " + e.getMessage() + ")");
                    }
                }
                if (style.frameData() && i + 1 < frames.size()) {
                    frameData(p, f.sp(), frames.get(i + 1).sp(), lines);
                }
                n++;
            }
            if (!trace.end().equals("user mode") && !trace.end().equals("end of the kernel stack")) {
                lines.add("bt: stopped: " + trace.end());
            }
            return lines;
        }
    }

    /**
     * crash's bt -f: the stack words of a frame, from above its return-address slot up to the next
     * frame's, two per line after the address of the first.
     */
    private static void frameData(Program p, long from, long to, List<String> lines) {
        if (Long.compareUnsigned(to, from) <= 0 || to - from > 64 * 1024) {
            return; // a switch to another stack: nothing between the two frames on one stack
        }
        for (long a = from; Long.compareUnsigned(a, to) < 0; a += 16) {
            try {
                long w0 = p.kernel().u64(a);
                String second = Long.compareUnsigned(a + 8, to) < 0 ? String.format(" %016x", p.kernel().u64(a + 8)) : "";
                lines.add(String.format("    %x: %016x%s", a, w0, second));
            } catch (MemoryFault e) {
                lines.add("    " + Long.toHexString(a) + ": " + e.reason());
                return;
            }
        }
    }

    private Task target(Program p, List<String> args) throws UsageException, MemoryFault, UnknownSymbolException {
        Optional<String> pid = args.isEmpty() ? session.pid() : Optional.of(args.getFirst());
        if (pid.isPresent()) {
            int n = (int) Args.number("bt", pid.get());
            if (n == 0) {
                throw new UsageException("bt: the idle tasks have pid 0; name another task");
            }
            return Tasks.walk(p).byPid(n).orElseThrow(() -> new UsageException("bt: no task with pid " + n));
        }
        OptionalInt cpu = CurrentContext.panicCpu(p);
        if (cpu.isEmpty()) {
            throw new UsageException("bt: panic_cpu is not set; give a PID");
        }
        long current = Tasks.current(p, cpu.getAsInt());
        for (Task t : Tasks.walk(p).tasks()) {
            if (t.address() == current) {
                return t;
            }
        }
        for (Task t : Tasks.idle(p)) {
            if (t.address() == current) {
                return t;
            }
        }
        throw new UsageException("bt: the panic CPU's task " + Long.toHexString(current) + " is in no task list");
    }

    /** A task on a CPU starts from that CPU's registers; any other from the frame switch_to saved. */
    static Map<String, Long> startRegisters(Program p, Task t) throws MemoryFault, UnknownSymbolException {
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

    /** "func+off" for exception RIPs (decimal offset, as crash), "func" for frames; modules' symbols too. */
    static String symbolize(Program p, long ip, boolean plainName) {
        Optional<Symbol> s = p.symbolContaining(ip);
        if (s.isEmpty()) {
            return Long.toHexString(ip);
        }
        long off = ip - s.get().address();
        return plainName || off == 0 ? s.get().name() : s.get().name() + "+" + off;
    }

    private static String module(Program p, long ip) {
        if (Long.compareUnsigned(ip, p.layout().modulesStart()) < 0) {
            return "";
        }
        return p.modules().containing(ip).map(m -> " [" + m.name() + "]").orElse("");
    }
}
