package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Machine;
import dev.kdive.kernel.SystemInfo;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code mach}: the machine as crash describes it: type, memory, CPUs, speed, HZ, the address-space
 * bases and every CPU's IRQ and exception stacks; {@code -c}: each CPU's {@code cpuinfo_x86};
 * {@code -m}: the firmware's (e820) memory map.
 */
final class MachCommand implements ShellCommand {
    @Override
    public String name() {
        return "mach";
    }

    @Override
    public String synopsis() {
        return "mach [-c | -m]             machine: memory, CPUs, HZ, address-space bases, IRQ and exception stacks; -c cpuinfo_x86 per CPU, -m e820 map";
    }

    @Override
    public String example() {
        return "mach -m                    the BIOS memory map: 0000000000100000 - 000000001ffdf000  E820_RAM …";
    }

    /** mach's fields, in crash's order, and the stacks. */
    record Mach(Map<String, String> fields, Machine.Info info) implements Output {
        @Override
        public void text(PrintWriter out) {
            fields.forEach((k, v) -> out.printf("%22s: %s%n", k, v));
            for (Machine.Stacks s : info.stacks()) {
                out.printf("%22s: %d%n", s.kind() + " STACK SIZE", s.size());
                out.printf("%22s:%n", s.kind() + " STACKS");
                for (Machine.Stack st : s.stacks()) {
                    out.printf("%22s: %x%s%n", "CPU " + st.cpu(), st.base(), st.available() ? "" : " [unavailable]");
                }
            }
        }

        @Override
        public Object json() {
            return Map.of("fields", fields, "machine", info);
        }
    }

    record MemoryMap(List<Machine.E820Entry> entries) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("      PHYSICAL ADDRESS RANGE         TYPE");
            entries.forEach(e -> out.printf("%016x - %016x  %s%n", e.start(), e.end(), e.type()));
        }

        @Override
        public Object json() {
            return entries;
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("mach", raw, Set.of("-c", "-m"), Set.of());
        if (!args.operands().isEmpty() && !args.has("-c")) {
            throw new UsageException("mach: takes -c [CPU…] or -m");
        }
        try {
            if (args.has("-m")) {
                return new MemoryMap(Machine.e820(p));
            }
            if (args.has("-c")) {
                return cpuInfo(p, args.operands());
            }
            SystemInfo sys = SystemInfo.read(p);
            Machine.Info m = Machine.of(p);
            Map<String, String> f = new LinkedHashMap<>();
            f.put("MACHINE TYPE", sys.machine());
            sys.memoryBytes().ifPresent(b -> f.put("MEMORY SIZE", SysCommand.size(b)));
            if (sys.cpus().isPresent()) {
                long off = sys.offlineCpus().orElse(0);
                f.put("CPUS", sys.cpus().getAsLong() + (off > 0 ? " [OFFLINE: " + off + "]" : ""));
            }
            SystemInfo.cpuMhz(p).ifPresent(mhz -> f.put("PROCESSOR SPEED", mhz + " Mhz"));
            m.hz().ifPresent(hz -> f.put("HZ", Long.toString(hz)));
            f.put("PAGE SIZE", Long.toString(m.pageSize()));
            f.put("KERNEL VIRTUAL BASE", Long.toHexString(m.virtualBase()));
            f.put("KERNEL VMALLOC BASE", Long.toHexString(m.vmallocBase()));
            f.put("KERNEL VMEMMAP BASE", Long.toHexString(m.vmemmapBase()));
            f.put("KERNEL START MAP", Long.toHexString(m.startKernelMap()));
            f.put("KERNEL MODULES BASE", Long.toHexString(m.modulesBase()));
            m.kernelStackSize().ifPresent(s -> f.put("KERNEL STACK SIZE", Long.toString(s)));
            return new Mach(f, m);
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("mach: " + e.getMessage());
        }
    }

    /** Each CPU's {@code cpuinfo_x86} (the per-cpu {@code cpu_info}), as crash's mach -c prints it. */
    private static Output cpuInfo(Program p, List<String> cpus) throws UsageException, MemoryFault, UnknownSymbolException {
        long[] offsets = p.perCpuOffsets();
        Type.Struct s = StructCommand.lookup(p, "mach", "cpuinfo_x86");
        List<Integer> wanted = new ArrayList<>();
        for (String c : cpus) {
            wanted.add((int) Args.number("mach", c));
        }
        List<String> lines = new ArrayList<>();
        for (int cpu = 0; cpu < offsets.length; cpu++) {
            if (!wanted.isEmpty() && !wanted.contains(cpu)) {
                continue;
            }
            if (!lines.isEmpty()) {
                lines.add("");
            }
            lines.add("CPU " + cpu + ":");
            lines.addAll(StructCommand.contents(p, "mach", s, List.of(), p.address("cpu_info") + offsets[cpu]));
        }
        return new Text(lines);
    }
}
