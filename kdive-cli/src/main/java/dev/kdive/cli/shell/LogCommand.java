package dev.kdive.cli.shell;

import dev.kdive.kernel.PrintkLog;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code log}: the kernel's message buffer (the lockless printk ring buffer), crash's "[seconds.micros] text" lines. */
final class LogCommand implements ShellCommand {
    @Override
    public String name() {
        return "log";
    }

    @Override
    public String synopsis() {
        return "log                      the kernel log from the printk ring buffer";
    }

    record Messages(PrintkLog.Log log) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (PrintkLog.Entry e : log.entries()) {
                String prefix = String.format("[%5d.%06d] ", e.timestampNanos() / 1_000_000_000L,
                        e.timestampNanos() % 1_000_000_000L / 1000);
                // A record of several lines: crash indents the later ones under the text.
                out.println(prefix + e.text().replace("\n", "\n" + " ".repeat(prefix.length())));
            }
            log.problems().forEach(p -> out.println("log: " + p));
        }

        @Override
        public Object json() {
            List<Object> entries = new ArrayList<>();
            for (PrintkLog.Entry e : log.entries()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("seq", e.sequence());
                m.put("ts_nsec", e.timestampNanos());
                m.put("text", e.text());
                entries.add(m);
            }
            return Map.of("entries", entries, "problems", log.problems());
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("log: options (-T, -m, -d) are not implemented yet");
        }
        return new Messages(PrintkLog.read(p.kernel(), p.vmcoreinfo()));
    }
}
