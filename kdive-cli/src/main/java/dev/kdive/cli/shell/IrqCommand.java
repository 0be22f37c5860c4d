package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Irqs;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.List;

/** {@code irq [IRQ…]}: interrupt lines with their descriptors and handlers, crash's layout. */
final class IrqCommand implements ShellCommand {
    @Override
    public String name() {
        return "irq";
    }

    @Override
    public String synopsis() {
        return "irq [-u] [IRQ…] | -a | -s | -b | -d   interrupt lines: IRQ, IRQ_DESC, IRQACTION and handler name (-u: allocated ones);"
                + " -a their CPU affinity, -s per-CPU counts, -b softirq handlers, -d the IDT's vectors";
    }

    @Override
    public String example() {
        return "irq 4                      the serial port's line: its irq_desc, irqaction and \"ttyS0\"";
    }

    record Listing(List<Irqs.Irq> irqs, List<dev.kdive.finding.Finding> findings) implements Output {
        private static final String UNUSED = "    (unused)    ";

        @Override
        public void text(PrintWriter out) {
            out.println(" IRQ   IRQ_DESC/_DATA      IRQACTION      NAME");
            for (Irqs.Irq i : irqs) {
                String desc = i.desc() == 0 ? UNUSED : String.format("%16x", i.desc());
                if (i.actions().isEmpty()) {
                    out.printf("%s  %s  %s  %n", Text.centre(Integer.toString(i.irq()), 4, true), desc, UNUSED);
                    continue;
                }
                for (int a = 0; a < i.actions().size(); a++) {
                    Irqs.Action act = i.actions().get(a);
                    String lead = a == 0 ? Text.centre(Integer.toString(i.irq()), 4, true) + "  " + desc + "  " : " ".repeat(3 + 3 + 16 + 2);
                    out.printf("%s%16x  \"%s\"%n", lead, act.address(), act.name());
                }
            }
            findings.forEach(f -> out.println("irq: " + f.summary()));
        }
    }

    /** irq -a: each line's CPUs, as smp_affinity_list writes them ("0-1", "0,2-3"). */
    record Affinity(List<Irqs.Detail> lines) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("IRQ NAME                 AFFINITY");
            for (Irqs.Detail d : lines) {
                out.printf("%3d %-20s %s%n", d.irq(), String.join(",", d.names()), ranges(d.affinity()));
            }
        }

        static String ranges(List<Integer> cpus) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cpus.size(); ) {
                int j = i;
                while (j + 1 < cpus.size() && cpus.get(j + 1) == cpus.get(j) + 1) {
                    j++;
                }
                b.append(b.isEmpty() ? "" : ",").append(cpus.get(i)).append(j > i ? "-" + cpus.get(j) : "");
                i = j + 1;
            }
            return b.toString();
        }
    }

    /** irq -b: the softirq vectors that have a handler, and each handler's function (and module). */
    record Softirqs(List<Long> actions, java.util.Map<Long, String> names, java.util.Map<Long, String> modules) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("SOFTIRQ_VEC " + Text.centre("ACTION", 16, false));
            for (int i = 0; i < actions.size(); i++) {
                if (actions.get(i) != 0) {
                    String module = modules.get(actions.get(i));
                    out.printf("    [%d]%s %016x  <%s>%s%n", i, i < 10 ? "    " : "   ", actions.get(i), names.get(actions.get(i)),
                            module == null ? "" : "  [" + module + "]");
                }
            }
        }

        @Override
        public Object json() {
            List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
            for (int i = 0; i < actions.size(); i++) {
                if (actions.get(i) != 0) {
                    rows.add(java.util.Map.of("vector", i, "action", actions.get(i), "function", names.get(actions.get(i))));
                }
            }
            return rows;
        }
    }

    /** irq -d: each vector of the IDT and the function its gate points at. */
    record Idt(List<Long> handlers, java.util.Map<Long, String> names) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < handlers.size(); i++) {
                out.printf("%5s %s%n", "[" + i + "]", names.get(handlers.get(i)));
            }
        }

        @Override
        public Object json() {
            List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
            for (int i = 0; i < handlers.size(); i++) {
                rows.add(java.util.Map.of("vector", i, "handler", handlers.get(i), "function", names.get(handlers.get(i))));
            }
            return rows;
        }
    }

    /** irq -s: /proc/interrupts: each line's count on every CPU, its chip and flow, its handlers. */
    record Stats(int cpus, List<Irqs.Detail> lines) implements Output {
        @Override
        public void text(PrintWriter out) {
            StringBuilder h = new StringBuilder("    ");
            for (int c = 0; c < cpus; c++) {
                h.append(String.format(" %10s", "CPU" + c));
            }
            out.println(h.append(' '));
            for (Irqs.Detail d : lines) {
                StringBuilder r = new StringBuilder(String.format("%3d:", d.irq()));
                d.counts().forEach(c -> r.append(String.format(" %10d", c)));
                String chip = d.flow().isEmpty() ? d.chip() : d.chip() + "-" + d.flow();
                out.println(r.append(String.format("  %-16s %s", chip, String.join(", ", d.names()))));
            }
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        try {
            if (args.equals(List.of("-b")) || args.equals(List.of("-d"))) {
                List<Long> handlers = args.getFirst().equals("-b") ? Irqs.softirqVectors(p) : Irqs.idt(p);
                boolean idt = args.getFirst().equals("-d");
                java.util.Map<Long, String> names = new java.util.HashMap<>();
                java.util.Map<Long, String> modules = new java.util.HashMap<>();
                dev.kdive.kernel.Modules.Walk mods = dev.kdive.kernel.Modules.of(p);
                for (long h : handlers) { // -b: the function's plain name and its module; -d: name+offset
                    names.computeIfAbsent(h, a -> BtCommand.symbolize(p, a, !idt));
                    mods.containing(h).ifPresent(m -> modules.put(h, m.name()));
                }
                return idt ? new Idt(handlers, names) : new Softirqs(handlers, names, modules);
            }
            if (args.equals(List.of("-a")) || args.equals(List.of("-s"))) {
                List<Irqs.Detail> details = Irqs.details(p, Irqs.of(p));
                return args.getFirst().equals("-a") ? new Affinity(details) : new Stats(p.perCpuOffsets().length, details);
            }
            Irqs.Table t = Irqs.of(p);
            List<Irqs.Irq> shown = t.irqs();
            boolean inUse = false;
            java.util.Set<Integer> wanted = new java.util.HashSet<>();
            for (String a : args) {
                if (a.equals("-u")) {
                    inUse = true;
                } else if (a.startsWith("-")) {
                    throw new UsageException("irq: " + a + " is not supported (-a, -s, -b and -d are, alone; -c is not); irq [-u] [IRQ…] lists lines and handlers");
                } else {
                    wanted.add((int) Args.number("irq", a));
                }
            }
            if (!wanted.isEmpty()) {
                shown = shown.stream().filter(i -> wanted.contains(i.irq())).toList();
            }
            if (inUse) { // crash's -u: lines with a descriptor allocated
                shown = shown.stream().filter(i -> i.desc() != 0).toList();
            }
            return new Listing(shown, t.findings());
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("irq: " + e.getMessage());
        }
    }
}
