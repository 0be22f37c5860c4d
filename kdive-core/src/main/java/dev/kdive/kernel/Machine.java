package dev.kdive.kernel;

import dev.kdive.arch.Translation;
import dev.kdive.dump.MemoryFault;
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
 * What crash's {@code mach} says of an x86-64 machine beyond {@code sys}: the address-space bases,
 * HZ, and each CPU's interrupt and exception stacks. IRQ stacks: the per-cpu
 * {@code hardirq_stack_ptr} (in {@code pcpu_hot} from 6.2) points 8 bytes below the top of a
 * {@code struct irq_stack} (arch/x86/kernel/irq_64.c); exception stacks: the per-cpu
 * {@code cea_exception_stacks}, one {@code *_stack} member per kind (arch/x86/include/asm/cpu_entry_area.h),
 * the VC stacks unmapped unless SEV-ES runs. Sizes come from the types.
 */
public final class Machine {
    private Machine() {
    }

    /** One CPU's stack of one kind; {@code available}: whether its pages are mapped. */
    public record Stack(int cpu, @Hex long base, boolean available) {}

    /** A kind of stack ("IRQ", "DOUBLEFAULT", …), its size and each CPU's. */
    public record Stacks(String kind, long size, List<Stack> stacks) {}

    /**
     * @param hz              HZ, from {@code tick_nsec} (NSEC_PER_SEC / HZ), when the kernel has it
     * @param kernelStackSize THREAD_SIZE: the size of {@code union thread_union} (or of {@code struct irq_stack}), when the types have it
     */
    public record Info(long pageSize, OptionalLong hz, @Hex long virtualBase, @Hex long vmallocBase, @Hex long vmemmapBase,
                       @Hex long startKernelMap, @Hex long modulesBase, OptionalLong kernelStackSize, List<Stacks> stacks) {}

    /** The exception stacks crash lists, by member of {@code struct cea_exception_stacks}. */
    private static final List<String[]> EXCEPTION = List.of(new String[] {"DOUBLEFAULT", "DF_stack"}, new String[] {"NMI", "NMI_stack"},
            new String[] {"DEBUG", "DB_stack"}, new String[] {"MCE", "MCE_stack"}, new String[] {"VC", "VC_stack"});

    public static Info of(Program p) throws MemoryFault, UnknownSymbolException {
        OptionalLong hz = OptionalLong.empty();
        if (p.symbols().lookup("tick_nsec").isPresent()) {
            long tick = p.kernel().u64(p.address("tick_nsec"));
            hz = tick == 0 ? hz : OptionalLong.of(Math.round(1e9 / tick));
        }
        OptionalLong thread = threadSize(p);
        long[] offsets = p.perCpuOffsets();
        List<Stacks> stacks = new ArrayList<>();
        Optional<Type> irqStack = p.types().lookup("struct irq_stack");
        if (irqStack.isPresent()) {
            long size = irqStack.get().size();
            List<Stack> irq = new ArrayList<>();
            for (int cpu = 0; cpu < offsets.length; cpu++) {
                long ptr = p.symbols().lookup("hardirq_stack_ptr").isPresent()
                        ? p.kernel().u64(p.address("hardirq_stack_ptr") + offsets[cpu])
                        : KernelObject.at(p, "pcpu_hot", p.address("pcpu_hot") + offsets[cpu]).read("hardirq_stack_ptr");
                long base = ptr + 8 - size;
                irq.add(new Stack(cpu, base, mapped(p, base)));
            }
            stacks.add(new Stacks("IRQ", size, irq));
        }
        if (p.symbols().lookup("cea_exception_stacks").isPresent()) {
            KernelObject cea = KernelObject.at(p, "cea_exception_stacks", 0);
            for (String[] kind : EXCEPTION) {
                if (cea.struct().member(kind[1]).isEmpty()) {
                    continue;
                }
                Type.Member m = cea.member(kind[1]);
                List<Stack> list = new ArrayList<>();
                for (int cpu = 0; cpu < offsets.length; cpu++) {
                    long base = p.kernel().u64(p.address("cea_exception_stacks") + offsets[cpu]) + m.offset();
                    list.add(new Stack(cpu, base, mapped(p, base)));
                }
                stacks.add(new Stacks(kind[0], m.type().get().size(), list));
            }
        }
        var l = p.layout();
        return new Info(4096, hz, l.pageOffsetBase(), l.vmallocBase(), l.vmemmapBase(), dev.kdive.arch.x86_64.KernelLayout.START_KERNEL_MAP,
                l.modulesStart(), thread, stacks);
    }

    /**
     * {@return THREAD_SIZE, a kernel stack's size: the size of {@code union thread_union}, else of
     * {@code struct irq_stack}} THREAD_SIZE and IRQ_STACK_SIZE share their order on x86-64
     * (2 + KASAN_STACK_ORDER, arch/x86/include/asm/page_64_types.h), and the kernel's BTF rarely has
     * the union but always the struct.
     */
    public static OptionalLong threadSize(Program p) {
        return p.types().lookup("union thread_union").or(() -> p.types().lookup("struct irq_stack"))
                .map(t -> OptionalLong.of(t.size())).orElse(OptionalLong.empty());
    }

    private static boolean mapped(Program p, long address) {
        return p.kernel().translate(address) instanceof Translation.Mapped;
    }

    /** One range of the firmware's memory map, its type named as crash names it ("E820_RAM"). */
    public record E820Entry(@Hex long start, @Hex long end, String type) {}

    /**
     * {@return the BIOS-provided memory map the kernel kept ({@code *e820_table}: {@code nr_entries},
     * {@code entries[]} of addr, size, type; arch/x86/include/asm/e820/types.h)}, types named from the
     * dump's {@code enum e820_type} (E820_TYPE_RAM → E820_RAM)
     */
    public static List<E820Entry> e820(Program p) throws MemoryFault, UnknownSymbolException {
        KernelObject table = KernelObject.at(p, "e820_table", p.kernel().u64(p.address("e820_table")));
        long n = table.read("nr_entries");
        Type.Member entries = table.member("entries");
        Type.Array array = (Type.Array) entries.type().get().resolved();
        long size = array.element().get().size();
        if (n < 0 || n > array.length()) {
            throw new MemoryFault(MemoryFault.Space.KERNEL, table.addressOf("nr_entries"), "e820_table.nr_entries reads " + n
                    + ", more than its " + array.length() + " entries");
        }
        java.util.Map<Long, String> names = new java.util.HashMap<>();
        p.types().lookup("enum e820_type").map(Type::resolved).filter(t -> t instanceof Type.Enum)
                .ifPresent(t -> ((Type.Enum) t).values().forEach(v -> names.put(v.value(), v.name().replace("E820_TYPE_", "E820_"))));
        List<E820Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            KernelObject e = new KernelObject(p, (Type.Struct) array.element().get().resolved(), table.addressOf("entries") + i * size);
            long addr = e.read("addr");
            long type = e.read("type");
            out.add(new E820Entry(addr, addr + e.read("size"), names.getOrDefault(type, "type " + type)));
        }
        return out;
    }
}
