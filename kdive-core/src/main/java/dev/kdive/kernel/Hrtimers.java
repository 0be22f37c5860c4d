package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.Unavailable;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The high-resolution timers (kernel/time/hrtimer.c, include/linux/hrtimer.h): per CPU, the
 * {@code hrtimer_bases} {@code hrtimer_cpu_base} holds {@code clock_base[HRTIMER_MAX_CLOCK_BASES]},
 * one per clock (monotonic, realtime, boottime, TAI, then their _SOFT twins since 4.16), each with
 * its pending timers in {@code active}, a timerqueue: a red-black tree of {@code hrtimer.node}
 * ({@code timerqueue_node}) ordered by expiry (include/linux/timerqueue.h); crash's {@code timer -r}.
 */
public final class Hrtimers {
    private Hrtimers() {
    }

    /**
     * A queued timer; {@code softExpires} is empty where the kernel has no {@code _softexpires}. A
     * timer whose memory cannot be read has {@code readable} false and no times; {@code function} is 0
     * when its word cannot be read.
     */
    public record Timer(@Hex long address, boolean readable, OptionalLong softExpires, long expires, long tte,
                        @Hex long function) {}

    /**
     * One clock base of one CPU.
     *
     * @param getTime the base's {@code get_time} function (gone in 6.18, 0 then)
     * @param type    the name of its {@code enum hrtimer_base_type} index, as the dump's types spell it
     * @param now     the current time on this clock as crash reckons it: the jiffies since boot in
     *                nanoseconds plus the base's {@code offset} from monotonic
     */
    public record Clock(int index, @Hex long address, @Hex long getTime, Optional<String> type, long now, List<Timer> timers,
                        List<Finding> findings) {}

    public record CpuBase(int cpu, @Hex long address, List<Clock> clocks) {}

    public record Queues(List<CpuBase> cpus, List<Finding> findings) {}

    /** {@return every CPU's clock bases and their queued timers, soonest first} */
    public static Queues of(Program p) throws MemoryFault, UnknownSymbolException {
        long[] offsets = p.perCpuOffsets();
        long first = p.address("hrtimer_bases");
        List<Finding> findings = new ArrayList<>();
        KernelObject cpu0 = KernelObject.at(p, "hrtimer_cpu_base", first);
        Type.Member clockBase = cpu0.member("clock_base");
        KernelObject base0 = KernelObject.at(p, "hrtimer_clock_base", 0);
        long baseSize = base0.struct().size();
        int count = clockBase.type().get().resolved() instanceof Type.Array a ? (int) a.length() : 1;
        boolean hasGetTime = base0.struct().member("get_time").isPresent();
        boolean hasOffset = base0.struct().member("offset").isPresent();
        // timerqueue_head: an rb_root_cached "rb_root" since 4.20, before it an rb_root "head" (include/linux/timerqueue.h)
        KernelObject head0 = KernelObject.at(p, "timerqueue_head", 0);
        long rootOff = base0.member("active").offset()
                + (head0.struct().member("rb_root").isPresent() ? head0.member("rb_root").offset() : head0.member("head").offset());
        KernelObject timer0 = KernelObject.at(p, "hrtimer", 0);
        // the tree links timerqueue_node.node, the first member of hrtimer.node
        long nodeOff = timer0.member("node").offset() + KernelObject.at(p, "timerqueue_node", 0).member("node").offset();
        boolean soft = timer0.struct().member("_softexpires").isPresent();
        List<String> types = baseTypes(p);
        long uptimeNs = 0;
        OptionalLong now = uptimeNs(p);
        if (now.isEmpty()) {
            findings.add(new Unavailable("the current time", "no tick_nsec in the dump to tell HZ: times to expiry count from 0"));
        } else {
            uptimeNs = now.getAsLong();
        }
        List<CpuBase> cpus = new ArrayList<>();
        for (int cpu = 0; cpu < offsets.length; cpu++) {
            long cpuBase = first + offsets[cpu];
            List<Clock> clocks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long base = cpuBase + clockBase.offset() + i * baseSize;
                KernelObject b = KernelObject.at(p, "hrtimer_clock_base", base);
                List<Finding> problems = new ArrayList<>();
                long getTime = 0;
                Optional<String> type = Optional.empty();
                long clockNow = uptimeNs;
                List<Timer> timers = new ArrayList<>();
                try {
                    getTime = hasGetTime ? b.read("get_time") : 0;
                    long index = b.read("index");
                    type = index >= 0 && index < types.size() ? Optional.ofNullable(types.get((int) index)) : Optional.empty();
                    clockNow += hasOffset ? b.read("offset") : 0;
                    String tree = "hrtimer_clock_base " + Long.toHexString(base) + " active";
                    Trees.Walk<Trees.RbNode> w = Trees.rbRoot(p, tree, base + rootOff, true);
                    problems.addAll(w.findings());
                    for (Trees.RbNode n : w.nodes()) {
                        timers.add(timer(p, n.node() - nodeOff, soft, clockNow));
                    }
                } catch (MemoryFault f) {
                    problems.add(UnreadableMemory.of("hrtimer_clock_base " + Long.toHexString(base), f));
                }
                clocks.add(new Clock(i, base, getTime, type, clockNow, timers, problems));
            }
            cpus.add(new CpuBase(cpu, cpuBase, clocks));
        }
        return new Queues(cpus, findings);
    }

    private static Timer timer(Program p, long addr, boolean soft, long now) {
        KernelObject t = KernelObject.at(p, "hrtimer", addr);
        try {
            long expires = t.read("node.expires");
            OptionalLong softExpires = soft ? OptionalLong.of(t.read("_softexpires")) : OptionalLong.empty();
            long function;
            try {
                function = t.read("function");
            } catch (MemoryFault f) {
                function = 0;
            }
            return new Timer(addr, true, softExpires, expires, expires - now, function);
        } catch (MemoryFault f) {
            return new Timer(addr, false, OptionalLong.empty(), 0, 0, 0);
        }
    }

    /** The names of {@code enum hrtimer_base_type} by value, from the dump's types (empty when it has none). */
    private static List<String> baseTypes(Program p) {
        List<String> names = new ArrayList<>();
        if (p.types().lookup("enum hrtimer_base_type").map(Type::resolved).orElse(null) instanceof Type.Enum e) {
            for (Type.Enumerator v : e.values()) {
                if (v.value() >= 0 && v.value() < 64) {
                    while (names.size() <= v.value()) {
                        names.add(null);
                    }
                    if (names.get((int) v.value()) == null) {
                        names.set((int) v.value(), v.name());
                    }
                }
            }
        }
        return names;
    }

    /**
     * The time since boot as crash's {@code timer -r} counts it: {@code jiffies_64 - INITIAL_JIFFIES}
     * ticks of {@code NSEC_PER_SEC / HZ} (include/linux/jiffies.h); HZ from {@code tick_nsec}.
     */
    private static OptionalLong uptimeNs(Program p) throws MemoryFault, UnknownSymbolException {
        if (p.symbols().lookup("tick_nsec").isEmpty()) {
            return OptionalLong.empty();
        }
        long tick = p.kernel().u64(p.address("tick_nsec"));
        if (tick <= 0) {
            return OptionalLong.empty();
        }
        long hz = Math.round(1e9 / tick); // TICK_NSEC is NSEC_PER_SEC / HZ, rounded
        long jiffies = p.kernel().u64(p.address("jiffies_64"));
        long initial = Integer.toUnsignedLong((int) (-300 * hz)); // INITIAL_JIFFIES
        return OptionalLong.of((jiffies - initial) * (1_000_000_000L / hz));
    }
}
