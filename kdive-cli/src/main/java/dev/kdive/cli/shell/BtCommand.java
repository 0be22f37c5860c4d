package dev.kdive.cli.shell;

import dev.kdive.dump.DumpFormatException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Backtrace;
import dev.kdive.kernel.Stacks;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.symbols.Symbol;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bt [PID]}: a task's kernel stack unwound with ORC, crash's layout: "#N [SP] FUNC at IP"
 * with module names, and an exception frame's "[exception RIP: FUNC+OFF]" and registers. The task
 * running on the panic CPU starts from that CPU's registers in the dump; a sleeping task from its
 * saved frame ({@link Stacks#taskStartRegisters}).
 */
final class BtCommand implements ShellCommand {
    // crash's exception-frame layout (x86_64.c x86_64_exception_frame): rows and label widths.
    private static final String[][] REGISTER_ROWS = {{"ax", "bx", "cx"}, {"dx", "si", "di"}, {"bp", "r8", "r9"},
        {"r10", "r11", "r12"}, {"r13", "r14", "r15"}};
    private final Session session;

    BtCommand(Session session) {
        this.session = session;
    }

    /** What bt printed: one backtrace, or one per CPU (bt -a), or one per task (foreach bt). */
    record Backtraces(List<Backtrace> backtraces, Offsets offsets) implements Output {
        Backtraces(List<Backtrace> backtraces) {
            this(backtraces, Offsets.NONE);
        }

        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < backtraces.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                render(backtraces.get(i), offsets).forEach(out::println);
            }
        }

        @Override
        public Object json() {
            return backtraces.size() == 1 ? backtraces.getFirst() : backtraces;
        }
    }

    /** How a frame's function is shown: crash's plain name, {@code -s} name+offset in decimal, {@code -sx} in hex. */
    enum Offsets { NONE, DECIMAL, HEX }

    /** bt -t / -T: the text addresses found on the stack, then the user-mode registers the trace ends with. */
    record TextSymbols(List<Stacks.TextOnStack> stacks) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < stacks.size(); i++) {
                Stacks.TextOnStack s = stacks.get(i);
                if (i > 0) {
                    out.println();
                }
                Task t = s.task();
                out.println(Text.taskHeader(t));
                if (s.start() != null && s.start().function() != null) {
                    out.printf("              START: %s at %x%s%n", s.start().function(), s.start().ip(),
                            s.start().module() != null ? " [" + s.start().module() + "]" : "");
                }
                for (Stacks.TextWord w : s.words()) {
                    out.printf("  [%x] %s at %x%s%n", w.address(), w.function(), w.value(), w.module() != null ? " [" + w.module() + "]" : "");
                }
                if (s.userRegisters() != null) {
                    registers(s.userRegisters()).forEach(out::println);
                }
            }
        }

        @Override
        public Object json() {
            return stacks;
        }
    }

    /** bt -e: the exception frames found on each stack by their contents. */
    record ExceptionFrames(List<Stacks.ExceptionFrames> stacks) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < stacks.size(); i++) {
                Stacks.ExceptionFrames s = stacks.get(i);
                if (i > 0) {
                    out.println();
                }
                out.println(Text.taskHeader(s.task()));
                for (Stacks.ExceptionFrame f : s.frames()) {
                    out.println();
                    out.printf("  %s-MODE EXCEPTION FRAME AT: %x%n", f.userMode() ? "USER" : "KERNEL", f.address());
                    if (f.function() != null) {
                        out.println("    [exception RIP: " + f.function() + (f.offset() == 0 ? "" : "+" + f.offset()) + "]");
                    }
                    registers(f.registers()).forEach(out::println);
                }
                s.findings().forEach(f -> out.println("bt: " + f.summary()));
            }
        }

        @Override
        public Object json() {
            return stacks.size() == 1 ? stacks.getFirst() : stacks;
        }
    }

    @Override
    public String name() {
        return "bt";
    }

    @Override
    public String synopsis() {
        return "bt [-l] [-f] [-s [-x]] [-t|-T|-e] [PID] | bt -a    kernel stack trace (ORC), exception frames with registers; -l lines, -f frame data,"
                + " -s offsets (-x in hex), -t/-T text addresses on the stack, -e exception frames anywhere on the stack, -a every CPU";
    }

    @Override
    public String example() {
        return "bt -a                    the stack of the task on every CPU (-l adds file:line with --vmlinux)";
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        List<String> split = new ArrayList<>();
        for (String a : raw) { // crash takes bunched flags: bt -sx, bt -lf
            if (a.matches("-[alfstTxe]{2,}")) {
                a.substring(1).chars().forEach(c -> split.add("-" + (char) c));
            } else {
                split.add(a);
            }
        }
        Args args = new Args("bt", split, Set.of("-a", "-l", "-f", "-s", "-x", "-t", "-T", "-e"), Set.of());
        if (args.operands().size() > 1 || args.has("-a") && !args.operands().isEmpty()) {
            throw new UsageException("bt: usage: bt [-l] [-f] [-s [-x]] [-t|-T|-e] [PID] | bt -a [-l] [-f] [-t|-T|-e]");
        }
        Offsets offsets = args.has("-s") ? args.has("-x") ? Offsets.HEX : Offsets.DECIMAL : Offsets.NONE;
        Stacks.Detail detail = detail("bt", p, args);
        try {
            if (args.has("-e")) {
                List<Task> tasks = args.has("-a") ? Stacks.eachCpu(p, Stacks.Detail.FRAMES).stream().map(Backtrace::task).toList()
                        : List.of(target(p, args.operands()));
                List<Stacks.ExceptionFrames> out = new ArrayList<>();
                for (Task t : tasks) {
                    out.add(Stacks.exceptionFrames(p, t));
                }
                return new ExceptionFrames(out);
            }
            if (args.has("-t") || args.has("-T")) {
                List<Task> tasks = args.has("-a") ? Stacks.eachCpu(p, Stacks.Detail.FRAMES).stream().map(Backtrace::task).toList()
                        : List.of(target(p, args.operands()));
                List<Stacks.TextOnStack> out = new ArrayList<>();
                for (Task t : tasks) {
                    out.add(Stacks.textOnStack(p, t, args.has("-T")));
                }
                return new TextSymbols(out);
            }
            if (args.has("-a")) { // every CPU's task, from that CPU's registers in the dump
                return new Backtraces(Stacks.eachCpu(p, detail), offsets);
            }
            return new Backtraces(List.of(Stacks.backtrace(p, target(p, args.operands()), detail)), offsets);
        } catch (UnknownSymbolException | IOException | DumpFormatException e) {
            throw new UsageException("bt: " + e.getMessage());
        } catch (MemoryFault f) {
            return Text.of("bt: " + f.getMessage());
        }
    }

    /** {@return what -l and -f ask for; -l needs the vmlinux's DWARF} */
    static Stacks.Detail detail(String command, Program p, Args args) throws UsageException {
        if (args.has("-l")) {
            try {
                if (p.sourceLines().isEmpty()) {
                    throw new UsageException(command + ": -l needs the vmlinux with DWARF (--vmlinux)");
                }
            } catch (IOException | DumpFormatException e) {
                throw new UsageException(command + ": " + e.getMessage());
            }
        }
        return new Stacks.Detail(args.has("-l"), args.has("-f"));
    }

    /** {@return crash's bt text of one backtrace} */
    static List<String> render(Backtrace b) {
        return render(b, Offsets.NONE);
    }

    /** The registers of an exception frame, crash's rows. */
    static List<String> registers(Map<String, Long> r) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("    RIP: %016x  RSP: %016x  RFLAGS: %08x", r.get("ip"), r.get("sp"), r.get("flags")));
        for (String[] row : REGISTER_ROWS) {
            StringBuilder line = new StringBuilder();
            for (String reg : row) {
                if (r.containsKey(reg)) {
                    String label = reg.startsWith("r") ? reg.toUpperCase() : "R" + reg.toUpperCase();
                    line.append(String.format("%s%3s: %016x", line.isEmpty() ? "    " : "  ", label, r.get(reg)));
                }
            }
            if (!line.isEmpty()) {
                lines.add(line.toString());
            }
        }
        lines.add(String.format("    ORIG_RAX: %016x  CS: %04x  SS: %04x", r.getOrDefault("orig_ax", 0L),
                r.getOrDefault("cs", 0L), r.getOrDefault("ss", 0L)));
        return lines;
    }

    static List<String> render(Backtrace b, Offsets offsets) {
        Task t = b.task();
        List<String> lines = new ArrayList<>();
        lines.add(Text.taskHeader(t));
        if (b.failure() != null) {
            lines.add("bt: " + b.failure());
            return lines;
        }
        for (Backtrace.Frame f : b.frames()) {
            if (f.exceptionRegisters() != null) {
                Map<String, Long> r = f.exceptionRegisters();
                if (!f.userMode()) { // a user-mode frame has no kernel symbol to name
                    lines.add("    [exception RIP: " + (f.function() == null ? Long.toHexString(f.ip())
                            : f.offset() == 0 ? f.function() : f.function() + "+" + f.offset()) + "]");
                }
                lines.addAll(registers(r));
                if (f.userMode()) {
                    continue; // the user-mode registers end the trace
                }
            }
            lines.add(String.format("%s#%d [%x] %s at %x%s", f.level() < 10 ? " " : "", f.level(), f.sp(),
                    f.function() == null ? Long.toHexString(f.callSite()) : switch (offsets) {
                        case NONE -> f.function();
                        case DECIMAL -> f.function() + "+" + f.offset();
                        case HEX -> f.function() + "+0x" + Long.toHexString(f.offset());
                    }, f.ip(),
                    f.module() != null ? " [" + f.module() + "]" : ""));
            if (f.source() != null) { // crash's bt -l: the frame's file and line on the next line
                lines.add("    " + f.source().file() + ": " + f.source().line());
            } else if (f.sourceProblem() != null) {
                lines.add("    (no line: " + f.sourceProblem() + ")");
            }
            if (f.stack() != null) { // crash's bt -f: the frame's stack words, two per line after the first's address
                long from = f.exact() ? f.sp() : f.sp() + 8;
                List<Long> w = f.stack();
                for (int i = 0; i < w.size(); i += 2) {
                    lines.add(String.format("    %x: %016x%s", from + 8L * i, w.get(i), i + 1 < w.size() ? String.format(" %016x", w.get(i + 1)) : ""));
                }
                if (f.stackFault() != null) {
                    lines.add("    " + Long.toHexString(from + 8L * w.size()) + ": " + f.stackFault());
                }
            }
        }
        if (!b.complete()) {
            lines.add("bt: stopped: " + b.end());
        }
        return lines;
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
        return Stacks.panicTask(p).orElseThrow(() -> new UsageException("bt: panic_cpu is not set; give a PID"));
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
}
