package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
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
        return "timer                      pending timers per CPU and base: EXPIRES TTE TIMER_LIST FUNCTION, soonest first";
    }

    @Override
    public String example() {
        return "timer                      TIMER_BASES[0][BASE_STD]: … 4294892850  46  ffffffffb7262558  …  <delayed_work_timer_fn>";
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

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("timer: " + String.join(" ", args) + ": only the timer wheel is shown yet (timer -r, hrtimers, is not supported)");
        }
        try {
            Timers.Wheel w = Timers.of(p);
            Map<Long, String> names = new java.util.HashMap<>();
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
