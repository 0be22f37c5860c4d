package dev.kdive.cli.shell;

import dev.kdive.kernel.PrintkLog;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.List;

/** {@code log}: the kernel's message buffer (the lockless printk ring buffer), crash's "[seconds.micros] text" lines. */
final class LogCommand implements ShellCommand {
    @Override
    public String name() {
        return "log";
    }

    @Override
    public String synopsis() {
        return "log [-m] [-T]            the kernel log from the printk ring buffer; -m with levels, -T wall-clock times";
    }

    @Override
    public String example() {
        return "log -T | tail -20        the last 20 kernel log lines, with wall-clock times";
    }

    /** crash's ctime form: "Tue Nov 24 20:27:42 UTC 2026", in the local zone as crash prints it. */
    private static final java.time.format.DateTimeFormatter CTIME =
            java.time.format.DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss zzz yyyy", java.util.Locale.ROOT);

    /** @param boot wall-clock time of boot (crash's boot_date: DATE - UPTIME), for -T */
    record Messages(PrintkLog.Log log, boolean levels, java.util.Optional<java.time.Instant> boot) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (PrintkLog.Entry e : log.entries()) {
                String prefix = boot.isPresent()
                        ? "[" + CTIME.format(boot.get().plusSeconds(e.timestampNanos() / 1_000_000_000L).atZone(java.time.ZoneId.systemDefault()))
                                .replaceFirst("(\\w{3} \\w{3}) (\\d) ", "$1  $2 ") + "] "
                        : e.timestamp();
                // A record of several lines: crash indents the later ones under the text.
                String level = levels && e.level() >= 0 ? "<" + e.level() + ">" : "";
                out.println(prefix + level + e.text().replace("\n", "\n" + " ".repeat(prefix.length() + level.length())));
            }
            log.problems().forEach(p -> out.println("log: " + p.summary()));
        }

        @Override
        public Object json() {
            return this; // the records, and with -T the boot time their timestamps count from
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        Args a = new Args("log", args, java.util.Set.of("-m", "-T"), java.util.Set.of());
        boolean levels = a.has("-m");
        if (!a.operands().isEmpty()) {
            throw new UsageException("log: usage: log [-m] [-T]");
        }
        java.util.Optional<java.time.Instant> boot = java.util.Optional.empty();
        if (a.has("-T")) {
            var sys = dev.kdive.kernel.SystemInfo.read(p);
            if (sys.date().isEmpty() || sys.uptimeSeconds().isEmpty()) {
                throw new UsageException("log: -T needs the dump's date and uptime, which it lacks");
            }
            boot = java.util.Optional.of(sys.date().get().minusSeconds(sys.uptimeSeconds().getAsLong()));
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
        return new Messages(PrintkLog.read(p.kernel(), p.vmcoreinfo(), bitOffset, bits), levels, boot);
    }
}
