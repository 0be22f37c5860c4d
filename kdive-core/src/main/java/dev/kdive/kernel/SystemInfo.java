package dev.kdive.kernel;

import dev.kdive.finding.Finding;
import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.MemoryFault;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What crash's {@code sys} shows, read from the dump without type information: the utsname of
 * {@code init_uts_ns}, the CPU masks, node memory, uptime from jiffies, and the panic line of the
 * kernel log. Anything unreadable is left empty, and why is a finding in {@code problems}.
 *
 * @param cpus          CPUs in {@code __cpu_present_mask}
 * @param offlineCpus   present CPUs not in {@code __cpu_online_mask} (panic stops the others)
 * @param memoryBytes   the sum of the online nodes' present pages
 * @param uptimeSeconds {@code (jiffies_64 - INITIAL_JIFFIES) / HZ}
 * @param date          VMCOREINFO CRASHTIME, which the kernel appends when kexec saves a crash
 *                      (kernel/crash_core.c); else the wall-clock seconds of the last timekeeping
 *                      update, {@code shadow_timekeeper.xtime_sec} (kernel/time/timekeeping.c)
 * @param panic         the "Kernel panic - not syncing" line, else the first oops line of the log
 */
public record SystemInfo(String sysname, String nodename, String release, String version, String machine,
                         OptionalLong cpus, OptionalLong offlineCpus, OptionalLong memoryBytes,
                         OptionalLong uptimeSeconds, Optional<java.time.Instant> date, Optional<String> panic,
                         List<Finding> problems) {
    private static final int UTS_LEN = 65; // struct new_utsname: six char[__NEW_UTS_LEN + 1]
    private static final List<String> OOPS_STARTS = List.of("Kernel panic - ", "sysrq: Trigger a crash",
            "SysRq : Trigger a crash", "kernel BUG at", "BUG: ", "general protection fault", "Oops: ", "double fault: ",
            "divide error: ", "stack segment: ");

    /** {@return the CPU clock in MHz: {@code cpu_khz}, calibrated from the TSC (arch/x86/kernel/tsc.c); empty when unreadable} */
    public static OptionalLong cpuMhz(Program p) {
        try {
            return OptionalLong.of(p.kernel().u32(p.address("cpu_khz")) / 1000);
        } catch (MemoryFault | UnknownSymbolException e) {
            return OptionalLong.empty();
        }
    }

    public static SystemInfo read(Program p) {
        List<Finding> problems = new ArrayList<>();
        AddressSpace k = p.kernel();
        String[] uts = new String[6];
        try {
            long name = p.address("init_uts_ns") + Long.parseLong(p.vmcoreinfo().getOrDefault("OFFSET(uts_namespace.name)", "4"));
            byte[] b = k.read(name, UTS_LEN * 6);
            for (int i = 0; i < 6; i++) {
                uts[i] = cstring(b, i * UTS_LEN, UTS_LEN);
            }
        } catch (MemoryFault | UnknownSymbolException | NumberFormatException e) {
            problems.add(Finding.missing("init_uts_ns", e));
            java.util.Arrays.fill(uts, "");
            uts[2] = p.vmcoreinfo().getOrDefault("OSRELEASE", "");
        }
        OptionalLong present = OptionalLong.empty();
        OptionalLong offline = OptionalLong.empty();
        try {
            long n = k.u32(p.address("nr_cpu_ids"));
            long presentMask = p.address("__cpu_present_mask");
            long onlineMask = p.address("__cpu_online_mask");
            long pres = 0;
            long off = 0;
            for (long w = 0; w * 64 < n; w++) { // struct cpumask: unsigned long bits[], nr_cpu_ids valid
                long valid = n - w * 64 >= 64 ? -1L : (1L << (n - w * 64)) - 1;
                long pw = k.u64(presentMask + w * 8) & valid;
                pres += Long.bitCount(pw);
                off += Long.bitCount(pw & ~k.u64(onlineMask + w * 8));
            }
            present = OptionalLong.of(pres);
            offline = OptionalLong.of(off);
        } catch (MemoryFault | UnknownSymbolException | TypeException e) {
            problems.add(Finding.missing("CPU masks", e));
            if (!p.cpus().isEmpty()) {
                present = OptionalLong.of(p.cpus().size());
            }
        }
        OptionalLong memory = OptionalLong.empty();
        try {
            memory = OptionalLong.of(presentPages(p) * AddressSpace.PAGE_SIZE);
        } catch (MemoryFault | UnknownSymbolException | IllegalArgumentException e) { // VMCOREINFO without the offsets
            problems.add(Finding.missing("node memory", e));
        }
        OptionalLong uptime = OptionalLong.empty();
        Optional<KernelObject> timekeeper = timekeeper(p);
        try {
            if (p.symbolNamed("tick_nsec").isPresent() || timekeeper.isEmpty()) {
                long jiffies = k.u64(p.address("jiffies_64"));
                long tickNsec = k.u64(p.address("tick_nsec"));
                long hz = Math.round(1e9 / tickNsec); // TICK_NSEC is NSEC_PER_SEC / HZ, rounded
                long initial = Integer.toUnsignedLong((int) (-300 * hz)); // INITIAL_JIFFIES, include/linux/jiffies.h
                uptime = OptionalLong.of((jiffies - initial) / hz);
            } else {
                // newer kernels have no tick_nsec: boot time as /proc/uptime reads it, monotonic seconds
                // plus the time spent suspended (ktime_get_boottime(), kernel/time/timekeeping.c)
                KernelObject tk = timekeeper.get();
                uptime = OptionalLong.of(tk.read("ktime_sec") + tk.read("offs_boot") / 1_000_000_000L);
            }
        } catch (MemoryFault | UnknownSymbolException | ArithmeticException | TypeException e) {
            problems.add(Finding.missing("uptime", e));
        }
        PrintkLog.Log log = PrintkLog.read(k, p.vmcoreinfo());
        problems.addAll(log.problems());
        Optional<java.time.Instant> date = Optional.empty();
        String crashTime = p.vmcoreinfo().get("CRASHTIME");
        if (crashTime != null) {
            try {
                date = Optional.of(java.time.Instant.ofEpochSecond(Long.parseLong(crashTime.strip())));
            } catch (NumberFormatException e) {
                problems.add(new dev.kdive.finding.Inconsistent("VMCOREINFO CRASHTIME", null, "a number of seconds", "\"" + crashTime + "\"", List.of()));
            }
        }
        if (date.isEmpty()) {
            try {
                long sec = (p.symbolNamed("shadow_timekeeper").isPresent()
                        ? KernelObject.at(p, "timekeeper", p.address("shadow_timekeeper"))
                        : timekeeper.orElseThrow(() -> new UnknownSymbolException("shadow_timekeeper"))).read("xtime_sec");
                if (sec > 0) {
                    date = Optional.of(java.time.Instant.ofEpochSecond(sec));
                }
            } catch (MemoryFault | UnknownSymbolException | TypeException | java.time.DateTimeException e) {
                problems.add(Finding.missing("date", e));
            }
        }
        return new SystemInfo(uts[0], uts[1], uts[2], uts[3], uts[4], present, offline, memory, uptime, date,
                panicLine(log.entries()), List.copyOf(problems));
    }

    /**
     * {@return the live {@code struct timekeeper} where it is inside {@code tk_core}, a {@code struct
     * tk_data} (kernel/time/timekeeping.c, 6.13+; before, tk_core was an anonymous struct and the
     * shadow copy a symbol of its own), or element TIMEKEEPER_CORE of {@code timekeeper_data[]}
     * where the auxiliary clocks' timekeepers sit beside it; empty when the kernel has none of these}
     */
    private static Optional<KernelObject> timekeeper(Program p) {
        Optional<Type> tkData;
        try {
            tkData = p.types().lookup("struct tk_data");
        } catch (TypeException e) { // no types: jiffies and VMCOREINFO still answer; the date says why it is missing
            return Optional.empty();
        }
        if (tkData.isEmpty()) {
            return Optional.empty();
        }
        long core;
        if (p.symbolNamed("tk_core").isPresent()) {
            core = p.symbolNamed("tk_core").get().address();
        } else if (p.symbolNamed("timekeeper_data").isPresent()) {
            // 6.16+: timekeeper_data[TIMEKEEPER_CORE], beside the auxiliary clocks' timekeepers
            long index = p.types().lookup("enum timekeeper_ids").map(Type::resolved).orElse(null) instanceof Type.Enum e
                    ? e.values().stream().filter(v -> v.name().equals("TIMEKEEPER_CORE")).mapToLong(v -> v.value()).findFirst().orElse(0) : 0;
            core = p.symbolNamed("timekeeper_data").get().address() + index * tkData.get().resolved().size();
        } else {
            return Optional.empty();
        }
        return Optional.of(KernelObject.at(p, "timekeeper", KernelObject.at(p, "tk_data", core).addressOf("timekeeper")));
    }

    /** {@return the panic line: the last "Kernel panic -" record, else the first oops-like record} */
    static Optional<String> panicLine(List<PrintkLog.Entry> log) {
        for (int i = log.size() - 1; i >= 0; i--) {
            String t = log.get(i).text();
            if (t.startsWith("Kernel panic - ")) {
                return Optional.of(t.strip());
            }
        }
        for (String start : OOPS_STARTS) {
            for (PrintkLog.Entry e : log) {
                if (e.text().startsWith(start)) {
                    return Optional.of(e.text().strip());
                }
            }
        }
        return Optional.empty();
    }

    /** Node present pages: {@code node_data[]} for NUMA kernels, {@code contig_page_data} otherwise. */
    private static long presentPages(Program p) throws MemoryFault, UnknownSymbolException {
        Map<String, String> info = p.vmcoreinfo();
        AddressSpace k = p.kernel();
        long start = Long.parseLong(require(info, "OFFSET(pglist_data.node_start_pfn)"));
        long spanned = Long.parseLong(require(info, "OFFSET(pglist_data.node_spanned_pages)"));
        // include/linux/mmzone.h keeps node_present_pages between node_start_pfn and node_spanned_pages;
        // VMCOREINFO exports only those two, so present pages are used where that layout holds.
        long count = spanned - start == 16 ? start + 8 : spanned;
        List<Long> nodes = new ArrayList<>();
        Optional<Symbol> nodeData = p.symbols().lookup("node_data");
        if (nodeData.isPresent() && info.containsKey("SYMBOL(node_online_map)")) {
            long online = Long.parseUnsignedLong(info.get("SYMBOL(node_online_map)"), 16);
            int max = Integer.parseInt(info.getOrDefault("LENGTH(node_data)", "64"));
            for (int n = 0; n < max; n++) {
                if ((k.u64(online + (n / 64) * 8L) & (1L << (n % 64))) != 0) {
                    nodes.add(k.u64(nodeData.get().address() + n * 8L));
                }
            }
        } else {
            nodes.add(p.address("contig_page_data"));
        }
        long total = 0;
        for (long pgdat : nodes) {
            total += k.u64(pgdat + count);
        }
        return total;
    }

    private static String require(Map<String, String> info, String key) {
        String v = info.get(key);
        if (v == null) {
            throw new IllegalArgumentException("VMCOREINFO has no " + key);
        }
        return v;
    }

    private static String cstring(byte[] b, int off, int max) {
        int n = 0;
        while (n < max && b[off + n] != 0) {
            n++;
        }
        return new String(b, off, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
