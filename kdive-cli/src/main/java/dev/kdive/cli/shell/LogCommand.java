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
        return "log [-m]                 the kernel log from the printk ring buffer; -m with levels";
    }

    record Messages(PrintkLog.Log log, boolean levels) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (PrintkLog.Entry e : log.entries()) {
                String prefix = String.format("[%5d.%06d] ", e.timestampNanos() / 1_000_000_000L,
                        e.timestampNanos() % 1_000_000_000L / 1000);
                // A record of several lines: crash indents the later ones under the text.
                String level = levels && e.level() >= 0 ? "<" + e.level() + ">" : "";
                out.println(prefix + level + e.text().replace("\n", "\n" + " ".repeat(prefix.length() + level.length())));
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
                m.put("level", e.level());
                entries.add(m);
            }
            return Map.of("entries", entries, "problems", log.problems());
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        boolean levels = args.equals(List.of("-m"));
        if (!args.isEmpty() && !levels) {
            throw new UsageException("log: only -m (levels) is implemented; -T and -d are not");
        }
        long bitOffset = -1;
        int bits = 0;
        try {
            var info = p.types().lookup("struct printk_info");
            if (info.isPresent() && info.get() instanceof dev.kdive.types.Type.Struct s && s.member("level").isPresent()) {
                bitOffset = s.member("level").get().bitOffset();
                bits = s.member("level").get().bitSize();
            }
        } catch (dev.kdive.types.TypeException e) {
            if (levels) {
                throw new UsageException("log: -m needs the printk_info type: " + e.getMessage());
            }
        }
        if (levels && bits == 0) {
            throw new UsageException("log: -m needs struct printk_info with its level bitfield, which the types lack");
        }
        return new Messages(PrintkLog.read(p.kernel(), p.vmcoreinfo(), bitOffset, bits), levels);
    }
}
