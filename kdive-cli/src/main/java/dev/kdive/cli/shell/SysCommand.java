package dev.kdive.cli.shell;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.kdive.dump.DumpFile;
import dev.kdive.kernel.SystemInfo;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    @Override
    public String example() {
        return "sys                      release, CPUs, memory, uptime and the panic message";
    }

    /**
     * The system, as crash's {@code sys} shows it.
     *
     * @param kernel   the vmlinux the symbols came from, or why there is none
     * @param dumpfile the dump's path
     * @param partial  whether makedumpfile left pages out (crash's "[PARTIAL DUMP]")
     * @param cpuMhz   {@code cpu_khz / 1000}, when readable
     */
    record Sys(String kernel, String dumpfile, boolean partial, Long cpuMhz, @JsonUnwrapped SystemInfo system) implements Output {
        @Override
        public void text(PrintWriter out) {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("KERNEL", kernel);
            f.put("DUMPFILE", dumpfile + (partial ? "  [PARTIAL DUMP]" : ""));
            if (system.cpus().isPresent()) {
                long off = system.offlineCpus().orElse(0);
                f.put("CPUS", system.cpus().getAsLong() + (off > 0 ? " [OFFLINE: " + off + "]" : ""));
            }
            system.date().ifPresent(when -> f.put("DATE", java.time.format.DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss zzz yyyy",
                    java.util.Locale.ROOT).format(when.atZone(java.time.ZoneId.of("UTC")))));
            if (system.uptimeSeconds().isPresent()) {
                f.put("UPTIME", uptime(system.uptimeSeconds().getAsLong()));
            }
            f.put("NODENAME", system.nodename());
            f.put("RELEASE", system.release());
            f.put("VERSION", system.version());
            f.put("MACHINE", system.machine() + (cpuMhz != null ? "  (" + cpuMhz + " Mhz)" : ""));
            if (system.memoryBytes().isPresent()) {
                f.put("MEMORY", size(system.memoryBytes().getAsLong()));
            }
            system.panic().ifPresent(panic -> f.put("PANIC", "\"" + panic + "\""));
            f.forEach((k, v) -> out.printf("%12s: %s%n", k, v));
            system.problems().forEach(p -> out.println("sys: " + p.summary()));
        }

        @Override
        public Object json() {
            return this;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("sys: takes no arguments (crash's sys -c/-t/-i are not implemented)");
        }
        String kernel = p.symbols().source().endsWith(".symtab")
                ? p.symbols().source().replaceFirst(" \\.symtab$", "") : "(no vmlinux: " + p.symbols().source() + ")";
        DumpFile d = p.dump();
        boolean partial = !d.formatName().equals("ELF") && p.memory().census().excluded() != 0;
        java.util.OptionalLong mhz = SystemInfo.cpuMhz(p);
        return new Sys(kernel, d.path().toString(), partial, mhz.isPresent() ? mhz.getAsLong() : null, SystemInfo.read(p));
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
