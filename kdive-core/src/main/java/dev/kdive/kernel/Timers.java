package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The timer wheel (kernel/time/timer.c): per CPU, {@code timer_bases[NR_BASES]}, each with
 * {@code vectors[]} of hlists of {@code timer_list.entry}; crash's {@code timer}. The number of bases
 * is the per-cpu array's length in the dump's types: 1 without NO_HZ, 2 (BASE_STD, BASE_DEF) before
 * 6.9, 3 (BASE_LOCAL, BASE_GLOBAL, BASE_DEF) since.
 */
public final class Timers {
    private Timers() {
    }

    /** A pending timer; {@code tte} the jiffies to its expiry (negative: overdue). */
    public record Timer(long expires, long tte, @Hex long address, @Hex long function) {}

    /** One base of one CPU, its timers sorted by expiry (the wheel's order among equals). */
    public record Base(int cpu, String name, @Hex long address, List<Timer> timers, List<Finding> findings) {}

    public record Wheel(long jiffies, List<Base> bases) {}

    /** {@return jiffies and every CPU's timer bases} */
    public static Wheel of(Program p) throws MemoryFault, UnknownSymbolException {
        long jiffies = p.kernel().u64(p.address("jiffies"));
        long[] offsets = p.perCpuOffsets();
        long first = p.address("timer_bases");
        long baseSize = KernelObject.at(p, "timer_base", 0).struct().size();
        int count = p.types().variable("timer_bases").map(Type::resolved).filter(t -> t instanceof Type.Array)
                .map(t -> (int) ((Type.Array) t).length())
                .orElse(p.symbols().lookup("sysctl_timer_migration").isPresent() ? 2 : 1);
        List<String> names = switch (count) {
            case 1 -> List.of("BASE_STD");
            case 2 -> List.of("BASE_STD", "BASE_DEF");
            default -> List.of("BASE_LOCAL", "BASE_GLOBAL", "BASE_DEF");
        };
        KernelObject base0 = KernelObject.at(p, "timer_base", 0);
        Type.Member vectors = base0.member("vectors");
        int buckets = (int) ((Type.Array) vectors.type().get().resolved()).length();
        KernelObject timer0 = KernelObject.at(p, "timer_list", 0);
        long entry = timer0.member("entry").offset();
        List<Base> out = new ArrayList<>();
        for (int cpu = 0; cpu < offsets.length; cpu++) {
            for (int b = 0; b < Math.min(count, names.size()); b++) {
                long base = first + offsets[cpu] + b * baseSize;
                List<Timer> timers = new ArrayList<>();
                List<Finding> findings = new ArrayList<>();
                for (int v = 0; v < buckets; v++) {
                    long head = base + vectors.offset() + 8L * v;
                    try {
                        // hlist_node.next is the node's first word (include/linux/types.h)
                        Lists.Walk w = Lists.singlyLinked(p.kernel(), "timer_base " + Long.toHexString(base) + " vectors[" + v + "]",
                                p.kernel().u64(head), 0, 1 << 20);
                        findings.addAll(w.findings());
                        for (long node : w.entries()) {
                            KernelObject t = KernelObject.at(p, "timer_list", node - entry);
                            long expires = t.read("expires");
                            timers.add(new Timer(expires, expires - jiffies, t.address(), t.read("function")));
                        }
                    } catch (MemoryFault f) {
                        findings.add(UnreadableMemory.of("timer_base " + Long.toHexString(base) + " vectors[" + v + "]", f));
                    }
                }
                timers.sort(Comparator.comparing(Timer::expires, Long::compareUnsigned)); // stable: the wheel's order among equals
                out.add(new Base(cpu, names.get(b), base, timers, findings));
            }
        }
        return new Wheel(jiffies, out);
    }
}
