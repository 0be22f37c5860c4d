package dev.kdive.cli.shell;

import dev.kdive.kernel.MemorySearch;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code search}: where memory holds a value or a string. {@code -k} (the default) kernel virtual
 * memory (direct map, vmalloc, kernel image, modules), {@code -u} the current task's user memory,
 * {@code -p} physical memory; {@code -s}/{@code -e}/{@code -l} narrow the range; {@code -w}/{@code -h}
 * 4- or 2-byte values, {@code -m} a mask of bits to ignore, {@code -c} a string.
 */
final class SearchCommand implements ShellCommand {
    /** Hits kept before the search stops and says so. */
    static final int LIMIT = 1 << 20;

    private final Session session;

    SearchCommand(Session session) {
        this.session = session;
    }

    @Override
    public String name() {
        return "search";
    }

    @Override
    public String synopsis() {
        return "search [-k|-u|-p] [-s START] [-e END|-l LEN] [-m MASK] [-w|-h] VALUE | -c STRING   find a value or a string in memory";
    }

    @Override
    public String example() {
        return "search -c \"lab-trigger\"     every place kernel memory holds the string, with 56 bytes from there";
    }

    record Hits(List<MemorySearch.Hit> hits, int width, boolean chars, boolean stopped) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (MemorySearch.Hit h : hits) {
                out.println(Long.toHexString(h.address()) + ": " + (chars ? h.context() : Long.toHexString(h.value())));
            }
            if (stopped) {
                out.println("search: stopped after " + LIMIT + " hits; narrow it with -s/-e");
            }
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("search", raw, Set.of("-k", "-u", "-p", "-w", "-h", "-c"), Set.of("-s", "-e", "-l", "-m"));
        if (args.operands().size() != 1) {
            throw new UsageException("search: give one value (or with -c one string); several at once are not supported");
        }
        String what = args.operands().getFirst();
        MemorySearch.Target target;
        int width = args.has("-w") ? 4 : args.has("-h") ? 2 : 8;
        if (args.has("-c")) {
            if (what.isEmpty()) {
                throw new UsageException("search: -c needs a non-empty string");
            }
            target = new MemorySearch.Target.Chars(what);
        } else {
            long mask = args.value("-m").isPresent() ? ~Args.address(p, "search", args.value("-m").get()) : -1L;
            long widthMask = width == 8 ? -1L : (1L << (8 * width)) - 1;
            target = new MemorySearch.Target.Value(Args.address(p, "search", what), mask & widthMask, width);
        }
        long start = args.value("-s").isPresent() ? Args.address(p, "search", args.value("-s").get()) : 0;
        long end = args.value("-e").isPresent() ? Args.address(p, "search", args.value("-e").get())
                : args.value("-l").isPresent() ? start + Args.number("search", args.value("-l").get()) : -1L;
        List<MemorySearch.Hit> hits;
        if (args.has("-p")) {
            hits = MemorySearch.physical(p, start, end == -1L ? Long.MAX_VALUE : end, target, LIMIT);
        } else if (args.has("-u")) {
            Task t = task(p);
            if (t.mm() == 0) {
                throw new UsageException("search: pid " + t.pid() + " is a kernel thread: it has no user memory (set PID first)");
            }
            try {
                List<MemorySearch.Range> ranges = new ArrayList<>();
                for (var v : dev.kdive.kernel.MemoryMap.of(p, t).vmas()) {
                    clip(ranges, v.start(), v.end(), start, end);
                }
                hits = MemorySearch.virtual(p, p.userSpace(Tasks.pgd(p, t)), ranges, target, LIMIT);
            } catch (dev.kdive.dump.MemoryFault f) {
                return Text.of("search: " + f.getMessage());
            }
        } else {
            List<MemorySearch.Range> ranges = new ArrayList<>();
            if (args.value("-s").isPresent() && end != -1L) {
                ranges.add(new MemorySearch.Range(start, end));
            } else {
                for (MemorySearch.Range r : MemorySearch.kernelRanges(p)) {
                    clip(ranges, r.start(), r.end(), start, end);
                }
            }
            hits = MemorySearch.virtual(p, p.kernel(), ranges, target, LIMIT);
        }
        return new Hits(hits, width, args.has("-c"), hits.size() >= LIMIT);
    }

    private static void clip(List<MemorySearch.Range> out, long lo, long hi, long start, long end) {
        long a = Long.compareUnsigned(lo, start) >= 0 ? lo : start;
        long b = Long.compareUnsigned(hi, end) <= 0 ? hi : end;
        if (Long.compareUnsigned(a, b) < 0) {
            out.add(new MemorySearch.Range(a, b));
        }
    }

    private Task task(Program p) throws UsageException {
        try {
            if (session.pid().isPresent()) {
                int pid = Integer.parseInt(session.pid().get());
                return Tasks.walk(p).byPid(pid).orElseThrow(() -> new UsageException("search: no task with pid " + pid));
            }
            return dev.kdive.kernel.Stacks.panicTask(p).orElseThrow(() -> new UsageException("search: no panic task; set PID first"));
        } catch (dev.kdive.dump.MemoryFault | dev.kdive.program.UnknownSymbolException e) {
            throw new UsageException("search: " + e.getMessage());
        }
    }
}
