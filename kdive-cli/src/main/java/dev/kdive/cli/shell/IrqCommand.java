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
        return "irq [IRQ…]                 interrupt lines: IRQ, IRQ_DESC, IRQACTION and handler name (all, or those given)";
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

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        try {
            Irqs.Table t = Irqs.of(p);
            List<Irqs.Irq> shown = t.irqs();
            if (!args.isEmpty()) {
                java.util.Set<Integer> wanted = new java.util.HashSet<>();
                for (String a : args) {
                    if (a.startsWith("-")) {
                        throw new UsageException("irq: " + a + " is not supported yet; irq [IRQ…] lists lines and handlers");
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
