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
        return "irq [IRQ…] | -a | -s       interrupt lines: IRQ, IRQ_DESC, IRQACTION and handler name; -a their CPU affinity, -s per-CPU counts";
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
            if (args.equals(List.of("-a")) || args.equals(List.of("-s"))) {
                List<Irqs.Detail> details = Irqs.details(p, Irqs.of(p));
                return args.getFirst().equals("-a") ? new Affinity(details) : new Stats(p.perCpuOffsets().length, details);
            }
            Irqs.Table t = Irqs.of(p);
            List<Irqs.Irq> shown = t.irqs();
            if (!args.isEmpty()) {
                java.util.Set<Integer> wanted = new java.util.HashSet<>();
                for (String a : args) {
                    if (a.startsWith("-")) {
                        throw new UsageException("irq: " + a + " is not supported (irq -a and irq -s are, alone); irq [IRQ…] lists lines and handlers");
                    }
                    wanted.add((int) Args.number("irq", a));
                }
                shown = shown.stream().filter(i -> wanted.contains(i.irq())).toList();
            }
            return new Listing(shown, t.findings());
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("irq: " + e.getMessage());
        }
    }
}
