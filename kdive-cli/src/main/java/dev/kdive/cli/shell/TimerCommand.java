package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Hrtimers;
import dev.kdive.kernel.Timers;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** {@code timer}: jiffies and every CPU's pending timer-wheel timers, soonest first, crash's layout. */
final class TimerCommand implements ShellCommand {
    @Override
    public String name() {
        return "timer";
    }

    @Override
    public String synopsis() {
        return "timer [-r] [-C cpus]       pending timers per CPU and base: EXPIRES TTE TIMER_LIST FUNCTION, soonest first;"
                + " -r: hrtimers per CPU and clock base: SOFTEXPIRES EXPIRES TTE HRTIMER FUNCTION; -C: only these CPUs (0,2-3 or all)";
    }

    @Override
    public String example() {
        return "timer -r                   CLOCK: 0  HRTIMER_CLOCK_BASE: ffff8e979f423040  [ktime_get] … 2224000000  2224000000  192000000  …  <tick_sched_timer>";
    }

    /** The wheel, and each timer function's symbol as crash names it. */
    record Listing(Timers.Wheel wheel, Map<Long, String> functions) implements Output {
        @Override
        public void text(PrintWriter out) {
            String j = Long.toUnsignedString(wheel.jiffies());
            int flen = Math.max(j.length(), "JIFFIES".length());
            out.println(pad("JIFFIES", flen, false));
            out.println(pad(j, flen, true));
            out.println();
            int lastCpu = -1;
            for (Timers.Base b : wheel.bases()) {
                if (lastCpu >= 0 && b.cpu() != lastCpu) {
                    out.println();
                }
                lastCpu = b.cpu();
                out.printf("TIMER_BASES[%d][%s]: %x%n", b.cpu(), b.name(), b.address());
                long highest = b.timers().stream().mapToLong(t -> Math.abs(t.tte())).max().orElse(0);
                int tlen = Math.max(Long.toString(highest).length() + 1, 3); // room for a minus sign, as crash leaves it
                out.println("  " + pad("EXPIRES", flen, false) + "     " + pad("TTE", tlen, false) + "     TIMER_LIST     FUNCTION");
                for (Timers.Timer t : b.timers()) {
                    out.println("  " + pad(Long.toUnsignedString(t.expires()), flen, true) + "  " + pad(Long.toString(t.tte()), tlen, true)
                            + "  " + String.format("%16x", t.address()) + "  " + String.format("%16x", t.function()) + "  <"
                            + functions.getOrDefault(t.function(), Long.toHexString(t.function())) + ">");
                }
                if (b.timers().isEmpty()) {
                    out.println("  (none)");
                }
                b.findings().forEach(f -> out.println("timer: " + f.summary()));
            }
        }

        private static String pad(String s, int width, boolean right) {
            return right ? " ".repeat(Math.max(0, width - s.length())) + s : s + " ".repeat(Math.max(0, width - s.length()));
        }

        @Override
        public Object json() {
            return wheel;
        }
    }

    /** The hrtimer queues, and the functions' symbols as crash names them. */
    record HrtimerListing(Hrtimers.Queues queues, Map<Long, String> functions) implements Output {
        @Override
        public void text(PrintWriter out) {
            boolean firstCpu = true;
            for (Hrtimers.CpuBase c : queues.cpus()) {
                if (!firstCpu) {
                    out.println();
                }
                firstCpu = false;
                out.printf("CPU: %d  HRTIMER_CPU_BASE: %x%n", c.cpu(), c.address());
                for (Hrtimers.Clock b : c.clocks()) {
                    if (b.index() > 0) {
                        out.println();
                    }
                    String name = b.getTime() != 0 ? functions.getOrDefault(b.getTime(), Long.toHexString(b.getTime())) : b.type().orElse(null);
                    out.printf("  CLOCK: %d  HRTIMER_CLOCK_BASE: %x%s%n", b.index(), b.address(), name == null ? "" : "  [" + name + "]");
                    clock(out, b);
                    b.findings().forEach(f -> out.println("timer: " + f.summary()));
                }
            }
            queues.findings().forEach(f -> out.println("timer: " + f.summary()));
        }

        /** crash's widths: those of the last (latest) timer's numbers, at least the headers' */
        private void clock(PrintWriter out, Hrtimers.Clock b) {
            if (b.timers().isEmpty()) {
                out.println("  (empty)");
                return;
            }
            Hrtimers.Timer last = b.timers().getLast();
            int elen = Math.max(Long.toString(last.expires()).length(), "EXPIRES".length());
            int tlen = Long.toString(last.tte()).length();
            boolean soft = last.softExpires().isPresent();
            int first = soft ? Math.max(Long.toString(last.softExpires().getAsLong()).length(), "SOFTEXPIRES".length()) : elen;
            out.println("  " + Text.centre("CURRENT", first, true));
            out.println("  " + Text.centre(Long.toString(b.now()), first, true));
            out.println("  " + (soft ? Text.centre("SOFTEXPIRES", first, true) + "  " : "") + Text.centre("EXPIRES", elen, true) + "  "
                    + Text.centre("TTE", tlen, true) + "  " + Text.centre("HRTIMER", 16, false) + "  " + Text.centre("FUNCTION", 16, false));
            for (Hrtimers.Timer t : b.timers()) {
                if (!t.readable()) {
                    out.println("  (destroyed timer)");
                    continue;
                }
                StringBuilder line = new StringBuilder("  ");
                if (soft) {
                    line.append(Text.centre(Long.toString(t.softExpires().orElse(0)), first, true)).append("  ");
                }
                line.append(Text.centre(Long.toString(t.expires()), elen, true)).append("  ");
                line.append(String.format("%" + tlen + "d", t.tte())).append("  ");
                line.append(String.format("%x  ", t.address()));
                if (t.function() != 0) {
                    line.append(String.format("%x  <%s>", t.function(), functions.getOrDefault(t.function(), "")));
                }
                out.println(line);
            }
        }

        @Override
        public Object json() {
            return queues;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        boolean hr = false;
        String spec = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-r")) {
                hr = true;
            } else if (a.equals("-C") || a.equals("-rC")) {
                hr |= a.equals("-rC");
                if (i + 1 >= args.size()) {
                    throw new UsageException("timer: -C needs a CPU list (0,2-3 or all)");
                }
                spec = args.get(++i);
            } else if (a.startsWith("-C") || a.startsWith("-rC")) {
                hr |= a.startsWith("-rC");
                spec = a.substring(a.indexOf('C') + 1);
            } else {
                throw new UsageException("timer: " + a + ": only timer [-r] [-C cpus] is supported");
            }
        }
        java.util.function.IntPredicate cpus = Args.cpus("timer", "-C", spec);
        try {
            Map<Long, String> names = new java.util.HashMap<>();
            if (hr) {
                Hrtimers.Queues all = Hrtimers.of(p);
                Hrtimers.Queues q = new Hrtimers.Queues(all.cpus().stream().filter(c -> cpus.test(c.cpu())).toList(), all.findings());
                for (Hrtimers.CpuBase c : q.cpus()) {
                    for (Hrtimers.Clock b : c.clocks()) {
                        if (b.getTime() != 0) {
                            names.computeIfAbsent(b.getTime(), f -> BtCommand.symbolize(p, f, false));
                        }
                        for (Hrtimers.Timer t : b.timers()) {
                            names.computeIfAbsent(t.function(), g -> BtCommand.symbolize(p, g, false));
                        }
                    }
                }
                return new HrtimerListing(q, names);
            }
            Timers.Wheel all = Timers.of(p);
            Timers.Wheel w = new Timers.Wheel(all.jiffies(), all.bases().stream().filter(b -> cpus.test(b.cpu())).toList());
            for (Timers.Base b : w.bases()) {
                for (Timers.Timer t : b.timers()) {
                    names.computeIfAbsent(t.function(), f -> BtCommand.symbolize(p, f, false));
                }
            }
            return new Listing(w, names);
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("timer: " + e.getMessage());
        }
    }
}
