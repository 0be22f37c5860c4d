package dev.kdive.cli.shell;

import dev.kdive.dump.DumpFile;
import dev.kdive.kernel.SystemInfo;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code sys}: the crashed system in crash's layout (kernel.c display_sys_stats). */
final class SysCommand implements ShellCommand {
    @Override
    public String name() {
        return "sys";
    }

    @Override
    public String synopsis() {
        return "sys                      system data: release, CPUs, memory, uptime, panic message";
    }

    /** The sys fields, in crash's order, as label/value pairs. */
    record Sys(Map<String, String> fields, List<String> problems) implements Output {
        @Override
        public void text(PrintWriter out) {
            fields.forEach((k, v) -> out.printf("%12s: %s%n", k, v));
            problems.forEach(p -> out.println("sys: " + p));
        }

        @Override
        public Object json() {
            Map<String, Object> m = new LinkedHashMap<>();
            fields.forEach((k, v) -> m.put(k.toLowerCase(java.util.Locale.ROOT), v));
            m.put("problems", problems);
            return m;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("sys: takes no arguments (crash's sys -c/-t/-i are not implemented)");
        }
        SystemInfo s = SystemInfo.read(p);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("KERNEL", p.symbols().source().endsWith(".symtab")
                ? p.symbols().source().replaceFirst(" \\.symtab$", "") : "(no vmlinux: " + p.symbols().source() + ")");
        DumpFile d = p.dump();
        String partial = d.formatName().equals("ELF") || p.memory().census().excluded() == 0 ? "" : "  [PARTIAL DUMP]";
        f.put("DUMPFILE", d.path() + partial);
        if (s.cpus().isPresent()) {
            long off = s.offlineCpus().orElse(0);
            f.put("CPUS", s.cpus().getAsLong() + (off > 0 ? " [OFFLINE: " + off + "]" : ""));
        }
        s.date().ifPresent(when -> f.put("DATE", java.time.format.DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss zzz yyyy",
                java.util.Locale.ROOT).format(when.atZone(java.time.ZoneId.of("UTC")))));
        if (s.uptimeSeconds().isPresent()) {
            f.put("UPTIME", uptime(s.uptimeSeconds().getAsLong()));
        }
        f.put("NODENAME", s.nodename());
        f.put("RELEASE", s.release());
        f.put("VERSION", s.version());
        java.util.OptionalLong mhz = SystemInfo.cpuMhz(p);
        f.put("MACHINE", s.machine() + (mhz.isPresent() ? "  (" + mhz.getAsLong() + " Mhz)" : ""));
        if (s.memoryBytes().isPresent()) {
            f.put("MEMORY", size(s.memoryBytes().getAsLong()));
        }
        s.panic().ifPresent(panic -> f.put("PANIC", "\"" + panic + "\""));
        return new Sys(f, s.problems());
    }

    static String uptime(long seconds) {
        long days = seconds / 86400;
        String hms = String.format("%02d:%02d:%02d", seconds % 86400 / 3600, seconds % 3600 / 60, seconds % 60);
        return days > 0 ? days + (days == 1 ? " day, " : " days, ") + hms : hms;
    }

    /** crash's pages_to_size: one decimal, ".0" dropped; within 64 MB below a GB rounds up to it. */
    static String size(long bytes) {
        long gig = 1L << 30;
        long next = (bytes + gig - 1) / gig * gig;
        if (next - bytes <= 64L << 20) {
            bytes = next;
        }
        String s;
        if (bytes >= gig) {
            s = String.format("%.1f GB", bytes / (double) gig);
        } else if (bytes >= 1 << 20) {
            s = String.format("%.1f MB", bytes / (double) (1 << 20));
        } else {
            s = bytes / 1024 + " KB";
        }
        return s.replace(".0 ", " ");
    }
}
