package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Interrupt descriptors (kernel/irq/irqdesc.c): with CONFIG_SPARSE_IRQ in the radix tree
 * {@code irq_desc_tree} (before 6.5) or the maple tree {@code sparse_irqs} (6.5+), else the array
 * {@code irq_desc[NR_IRQS]}; each with its chain of handlers ({@code desc->action}, {@code action->next}).
 */
public final class Irqs {
    private Irqs() {
    }

    /** A handler: its {@code struct irqaction} and the name it was requested with. */
    public record Action(@Hex long address, String name) {}

    /** One interrupt line: its descriptor (0 when none is allocated) and its handlers, empty when unused. */
    public record Irq(int irq, @Hex long desc, List<Action> actions) {}

    public record Table(List<Irq> irqs, List<Finding> findings) {}

    /**
     * {@return the softirq handlers, {@code softirq_vec[NR_SOFTIRQS]} (kernel/softirq.c), by vector:
     * each {@code struct softirq_action}'s {@code action}, 0 when none is registered}. The vector count
     * is the variable's array length in the types, else the bytes kallsyms gives the symbol (up to
     * the next one; padding reads as empty vectors).
     */
    public static List<Long> softirqVectors(Program p) throws MemoryFault, UnknownSymbolException {
        return handlers(p, "softirq_vec", "softirq_action", "action");
    }

    /**
     * {@return the handler of every vector of the interrupt descriptor table, {@code idt_table}
     * (arch/x86/kernel/idt.c): each {@code struct gate_struct}'s offset, split in its low, middle
     * and high parts}
     */
    public static List<Long> idt(Program p) throws MemoryFault, UnknownSymbolException {
        KernelObject gate = KernelObject.at(p, "gate_struct", 0);
        long size = gate.struct().size();
        long base = p.address("idt_table");
        int n = length(p, "idt_table", size, 256); // the IDT's 256 vectors (Intel SDM vol. 3, 6.10)
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            KernelObject g = KernelObject.at(p, "gate_struct", base + i * size);
            out.add(g.read("offset_low") | g.read("offset_middle") << 16 | g.read("offset_high") << 32);
        }
        return out;
    }

    private static List<Long> handlers(Program p, String array, String struct, String member) throws MemoryFault, UnknownSymbolException {
        KernelObject entry = KernelObject.at(p, struct, 0);
        long size = entry.struct().size();
        long base = p.address(array);
        int n = length(p, array, size, 64);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(KernelObject.at(p, struct, base + i * size).read(member));
        }
        return out;
    }

    /** {@return an array variable's length: from its type when the types record variables, else its symbol's size; at most {@code cap}} */
    private static int length(Program p, String variable, long entrySize, int cap) {
        var type = p.types().variable(variable).map(dev.kdive.types.Type::resolved);
        if (type.isPresent() && type.get() instanceof dev.kdive.types.Type.Array a) {
            return (int) Math.min(a.length(), cap);
        }
        return (int) Math.min(cap, p.symbols().lookup(variable).map(sym -> sym.size() / entrySize).orElse((long) cap));
    }

    /** {@return interrupt lines 0 .. nr_irqs-1, each with its descriptor and handlers} */
    public static Table of(Program p) throws MemoryFault, UnknownSymbolException {
        int nr = (int) p.kernel().u32(p.address("nr_irqs"));
        List<Finding> findings = new ArrayList<>();
        Map<Long, Long> descs = descriptors(p, findings);
        List<Irq> out = new ArrayList<>();
        long actionNext = KernelObject.at(p, "irqaction", 0).member("next").offset();
        for (int irq = 0; irq < Math.min(nr, 1 << 20); irq++) {
            long desc = descs.getOrDefault((long) irq, 0L);
            List<Action> actions = new ArrayList<>();
            if (desc != 0) {
                try {
                    Lists.Walk chain = Lists.singlyLinked(p.kernel(), "irq " + irq + " actions", KernelObject.at(p, "irq_desc", desc).read("action"),
                            actionNext, 1024);
                    findings.addAll(chain.findings());
                    for (long a : chain.entries()) {
                        long name = KernelObject.at(p, "irqaction", a).read("name");
                        actions.add(new Action(a, name == 0 ? "" : p.kernel().cstring(name, 64)));
                    }
                } catch (MemoryFault f) {
                    findings.add(UnreadableMemory.of("irq " + irq + " descriptor " + Long.toHexString(desc), f));
                }
            }
            out.add(new Irq(irq, desc, actions));
        }
        return new Table(out, findings);
    }

    /**
     * What /proc/interrupts and smp_affinity_list say of a line in use: its handlers' names, the CPUs
     * it may be delivered to ({@code irq_common_data.affinity}), each CPU's count
     * ({@code kstat_irqs}: per-cpu {@code unsigned int}s, from 6.10 {@code struct irqdesc_kstat.cnt}),
     * its chip's name and its flow handler's ({@code desc->name}: "edge", "fasteoi").
     */
    public record Detail(int irq, List<String> names, List<Integer> affinity, List<Long> counts, String chip, String flow) {}

    /** {@return the detail of every line that has a handler} */
    public static List<Detail> details(Program p, Table table) throws MemoryFault, UnknownSymbolException {
        long[] offsets = p.perCpuOffsets();
        List<Detail> out = new ArrayList<>();
        for (Irq i : table.irqs()) {
            if (i.actions().isEmpty()) {
                continue;
            }
            KernelObject d = KernelObject.at(p, "irq_desc", i.desc());
            var aff = d.member("irq_common_data.affinity");
            long mask = aff.type().get().resolved() instanceof dev.kdive.types.Type.Pointer ? d.read("irq_common_data.affinity")
                    : d.addressOf("irq_common_data.affinity");
            List<Integer> cpus = new ArrayList<>();
            for (int cpu = 0; cpu < offsets.length; cpu++) {
                if ((p.kernel().u64(mask + 8L * (cpu / 64)) & (1L << (cpu % 64))) != 0) {
                    cpus.add(cpu);
                }
            }
            long stats = d.read("kstat_irqs");
            var target = ((dev.kdive.types.Type.Pointer) d.member("kstat_irqs").type().get().resolved()).target().get().resolved();
            long cnt = target instanceof dev.kdive.types.Type.Struct st ? st.member("cnt").orElseThrow().offset() : 0;
            List<Long> counts = new ArrayList<>();
            for (long off : offsets) {
                counts.add(stats == 0 ? 0 : p.kernel().u32(stats + off + cnt) & 0xffffffffL);
            }
            long chip = d.read("irq_data.chip");
            long chipName = chip == 0 ? 0 : KernelObject.at(p, "irq_chip", chip).read("name");
            long flow = d.read("name");
            out.add(new Detail(i.irq(), i.actions().stream().map(Action::name).toList(), cpus, counts,
                    chipName == 0 ? "" : p.kernel().cstring(chipName, 64), flow == 0 ? "" : p.kernel().cstring(flow, 64)));
        }
        return out;
    }

    /** {@return irq number → descriptor address, from whichever store this kernel has} */
    private static Map<Long, Long> descriptors(Program p, List<Finding> findings) throws MemoryFault, UnknownSymbolException {
        Map<Long, Long> out = new TreeMap<>();
        if (p.symbols().lookup("sparse_irqs").isPresent()) {
            KernelObject mt = KernelObject.at(p, "maple_tree", p.address("sparse_irqs"));
            Trees.Walk<Trees.Slot> w = Trees.mapleTree(p, "sparse_irqs", mt.read("ma_root"));
            w.nodes().forEach(s -> out.put(s.index(), s.entry()));
            findings.addAll(w.findings());
        } else if (p.symbols().lookup("irq_desc_tree").isPresent()) {
            KernelObject xa = KernelObject.at(p, "xarray", p.address("irq_desc_tree"));
            Trees.Walk<Trees.Slot> w = Trees.xarray(p, "irq_desc_tree", xa.read("xa_head"));
            w.nodes().forEach(s -> out.put(s.index(), s.entry()));
            findings.addAll(w.findings());
        } else {
            long array = p.address("irq_desc");
            long size = KernelObject.at(p, "irq_desc", 0).struct().size();
            long count = p.types().variable("irq_desc").map(t -> t.size() / size).orElse(0L);
            for (long i = 0; i < count; i++) {
                out.put(i, array + i * size);
            }
        }
        return out;
    }
}
