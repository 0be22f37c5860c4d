package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.TypeException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory hotplug blocks of drivers/base/memory.c: the devices on the "memory" bus, each a
 * {@code struct memory_block} around its {@code struct device}, found through the bus's
 * {@code subsys_private.klist_devices} (linked by {@code device_private.knode_bus}). The bus's
 * subsys_private is {@code memory_subsys.p} before 6.3, after it the kobject named "memory" on
 * {@code bus_kset}'s list (drivers/base/bus.c).
 */
public final class MemoryBlocks {
    private MemoryBlocks() {
    }

    /**
     * One block.
     *
     * @param end the last physical byte, -1 when the kernel does not say how large a block is
     */
    public record Block(@Hex long address, String name, @Hex long start, @Hex long end, int node, long state, String stateName,
                        long startSection) {}

    /** include/linux/memory.h's MEM_* defines, without MEM_; newer kernels name the same values in enum memory_block_state (read when present). */
    private static final java.util.Map<Long, String> STATES = java.util.Map.of(1L, "ONLINE", 2L, "GOING_OFFLINE", 4L, "OFFLINE", 8L,
            "GOING_ONLINE", 16L, "CANCEL_ONLINE", 32L, "CANCEL_OFFLINE");

    /** @param present false when this kernel has no memory blocks (no CONFIG_MEMORY_HOTPLUG's bus) */
    public record Blocks(boolean present, List<Block> blocks, List<Finding> problems) {}

    public static Blocks of(Program p, int pfnShift) {
        if (p.types().lookup("struct memory_block").isEmpty() || p.symbols().lookup("memory_subsys").isEmpty()) {
            return new Blocks(false, List.of(), List.of());
        }
        List<Block> out = new ArrayList<>();
        List<Finding> problems = new ArrayList<>();
        try {
            long priv = subsysPrivate(p);
            if (priv == 0) {
                return new Blocks(true, List.of(), List.of(new dev.kdive.finding.Unavailable("memory blocks", "no subsys_private for the memory bus")));
            }
            KernelObject sp = KernelObject.at(p, "subsys_private", priv);
            KernelObject dp = KernelObject.at(p, "device_private", 0);
            long link = dp.member("knode_bus").offset() + KernelObject.at(p, "klist_node", 0).member("n_node").offset();
            Lists.Walk w = Lists.listForEachEntry(p, "memory bus klist_devices", sp.addressOf("klist_devices.k_list"), link, Lists.LIMIT);
            problems.addAll(w.findings());
            KernelObject mb0 = KernelObject.at(p, "memory_block", 0);
            long devOffset = mb0.member("dev").offset();
            long blockBytes = blockBytes(p, pfnShift);
            java.util.Map<Long, String> states = new java.util.HashMap<>(STATES);
            Zones.enumerators(p, "enum memory_block_state").forEach((k, v) -> states.put(v, k.replaceFirst("^MEM_", "")));
            for (long d : w.entries()) {
                try {
                    long device = new KernelObject(p, dp.struct(), d).read("device");
                    KernelObject mb = new KernelObject(p, mb0.struct(), device - devOffset);
                    long nameAt = mb.read("dev.kobj.name");
                    long section = mb.read("start_section_nr");
                    long state = mb.read("state"); // its own width: an enum in newer kernels (crash 8.0.6 reads 8 bytes there and says UNKNOWN), unsigned long before
                    long start = (section << pfnShift) << 12;
                    long end = blockBytes > 0 ? start + blockBytes - 1
                            : mb0.struct().member("end_section_nr").isPresent() ? (((mb.read("end_section_nr") + 1) << pfnShift) << 12) - 1 : -1;
                    out.add(new Block(mb.address(), nameAt == 0 ? "" : p.kernel().cstring(nameAt, 64), start, end,
                            mb0.struct().member("nid").isPresent() ? (int) mb.read("nid") : -1, state, states.getOrDefault(state, "UNKNOWN"),
                            section));
                } catch (MemoryFault f) {
                    problems.add(dev.kdive.finding.UnreadableMemory.of("memory_block of device_private " + Long.toHexString(d), f));
                }
            }
        } catch (MemoryFault | UnknownSymbolException | TypeException e) {
            problems.add(Finding.missing("memory blocks", e));
        }
        return new Blocks(true, List.copyOf(out), List.copyOf(problems));
    }

    /** {@return a block's size in bytes: sections_per_block sections (drivers/base/memory.c), else x86's memory_block_size_probed, else 0} */
    private static long blockBytes(Program p, int pfnShift) throws MemoryFault {
        try {
            return p.kernel().u64(p.address("sections_per_block")) << (pfnShift + 12);
        } catch (UnknownSymbolException e) {
            try {
                return p.kernel().u64(p.address("memory_block_size_probed"));
            } catch (UnknownSymbolException e2) {
                return 0;
            }
        }
    }

    private static long subsysPrivate(Program p) throws MemoryFault, UnknownSymbolException {
        KernelObject bus = KernelObject.at(p, "bus_type", p.address("memory_subsys"));
        if (bus.struct().member("p").isPresent()) {
            return bus.read("p");
        }
        KernelObject kset = KernelObject.at(p, "kset", p.kernel().u64(p.address("bus_kset")));
        KernelObject kobj0 = KernelObject.at(p, "kobject", 0);
        Lists.Walk w = Lists.listForEachEntry(p, "bus_kset->list", kset.addressOf("list"), kobj0.member("entry").offset(), 1024);
        long kobjInPrivate = KernelObject.at(p, "subsys_private", 0).member("subsys.kobj").offset();
        for (long k : w.entries()) {
            long name = new KernelObject(p, kobj0.struct(), k).read("name");
            if (name != 0 && p.kernel().cstring(name, 16).equals("memory")) {
                return k - kobjInPrivate;
            }
        }
        return 0;
    }
}
