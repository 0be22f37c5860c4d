package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Signals;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code sig [-g] PID…}: a task's signal dispositions, blocked and pending signals and queues, crash's layout; {@code -g} every thread of its group. */
final class SigCommand implements ShellCommand {
    /** sa_flags bits in crash's order of printing (include/uapi/asm-generic/signal-defs.h, arch/x86/include/uapi/asm/signal.h). */
    private static final long[] FLAG_BITS = {0x1, 0x04000000, 0x2, 0x4, 0x08000000, 0x10000000, 0x40000000, 0x80000000L};
    private static final String[] FLAG_NAMES = {"SA_NOCLDSTOP", "SA_RESTORER", "SA_NOCLDWAIT", "SA_SIGINFO", "SA_ONSTACK", "SA_RESTART",
            "SA_NODEFER", "SA_RESETHAND"};

    @Override
    public String name() {
        return "sig";
    }

    @Override
    public String synopsis() {
        return "sig [-g] PID… | -l | -s SIGSET   signal dispositions (handler, mask, flags), blocked and pending signals and queues;"
                + " -g the whole thread group, -l the signal numbers and names, -s the signals a sigset_t value holds";
    }

    @Override
    public String example() {
        return "sig 98                     SIGNAL_STRUCT …  [2] ffff…  SIG_IGN 0000000000000000 0 … SIGPENDING: no";
    }

    record States(List<Signals.State> states) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < states.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                write(out, states.get(i));
            }
        }

        private static void write(PrintWriter out, Signals.State s) {
            Task t = s.task();
            out.println(Text.taskHeader(t));
            out.printf("SIGNAL_STRUCT: %x  NR_THREADS: %d%n", s.signalStruct(), s.threads());
            out.println(" SIG " + Text.centre("SIGACTION", 16, false) + " " + String.format("%10s", "HANDLER") + " "
                    + Text.centre("MASK", 16, false) + " " + String.format("%-16s", "FLAGS"));
            for (Signals.Action a : s.actions()) {
                String handler = a.handler() == 0 ? "SIG_DFL" : a.handler() == 1 ? "SIG_IGN" : a.handler() == -1 ? "SIG_ERR"
                        : Long.toHexString(a.handler());
                StringBuilder line = new StringBuilder(String.format("%s[%d] %-10x %10s %016x %x ", a.signal() < 10 ? " " : "", a.signal(),
                        a.address(), handler, a.mask(), a.flags()));
                List<String> names = new ArrayList<>();
                for (int b = 0; b < FLAG_BITS.length; b++) {
                    if ((a.flags() & FLAG_BITS[b]) != 0) {
                        names.add(FLAG_NAMES[b]);
                    }
                }
                if (!names.isEmpty()) {
                    line.append('(').append(String.join("|", names)).append(')');
                }
                out.println(line);
            }
            out.println("SIGPENDING: " + (s.pending() ? "yes" : "no"));
            out.printf("   BLOCKED: %016x%n", s.blocked());
            out.println("PRIVATE_PENDING");
            pending(out, s.privatePending(), s.privateQueue());
            out.println("SHARED_PENDING");
            pending(out, s.sharedPending(), s.sharedQueue());
        }

        private static void pending(PrintWriter out, long set, List<Signals.Queued> queue) {
            out.printf("    SIGNAL: %016x%n", set);
            if (queue.isEmpty()) {
                out.println("  SIGQUEUE: (empty)");
                return;
            }
            out.println("  SIGQUEUE:  SIG  " + Text.centre("SIGINFO", 16, false));
            queue.forEach(q -> out.printf("             %3d  %x%n", q.signal(), q.info()));
        }

        @Override
        public Object json() {
            return states;
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("sig", raw, Set.of("-g", "-l"), Set.of("-s"));
        if (args.has("-l")) {
            List<String> lines = new ArrayList<>();
            for (int n = 1; n <= Signals.NSIG; n++) {
                lines.add(String.format("%4s %s", "[" + n + "]", Signals.name(n)));
            }
            return new Text(lines);
        }
        if (args.has("-s")) {
            String hex = args.value("-s").orElseThrow().replaceFirst("^0[xX]", "");
            if (!hex.matches("[0-9a-fA-F]{1,16}")) { // crash reads a sigset as hex, 0x optional
                throw new UsageException("sig: -s " + args.value("-s").get() + ": expected a sigset_t in hex (up to 16 digits)");
            }
            long set = Long.parseUnsignedLong(hex, 16);
            List<String> names = Signals.members(set);
            return new Text(List.of(names.isEmpty() ? "(none)" : String.join(" ", names)));
        }
        if (args.operands().isEmpty()) {
            throw new UsageException("sig: give a PID, -l or -s SIGSET (sig -R is not supported)");
        }
        Tasks.Walk walk = Tasks.walk(p);
        List<Signals.State> states = new ArrayList<>();
        try {
            for (String o : args.operands()) {
                int pid = (int) Args.number("sig", o);
                Task t = walk.byPid(pid).orElseThrow(() -> new UsageException("sig: no task with pid " + pid));
                List<Task> group = args.has("-g") ? walk.tasks().stream().filter(x -> x.tgid() == t.tgid()).toList() : List.of(t);
                for (Task g : group) {
                    states.add(Signals.of(p, g));
                }
            }
        } catch (MemoryFault f) {
            return Text.of("sig: " + f.getMessage());
        }
        return new States(states);
    }
}
