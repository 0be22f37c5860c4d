package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.ListCorruption;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The PCI buses and devices the kernel enumerated: the root buses on {@code pci_root_buses}
 * (drivers/pci/probe.c), each {@code struct pci_bus} with its devices on {@code devices} (linked by
 * {@code pci_dev.bus_list}) and its subordinate buses on {@code children} (linked by
 * {@code pci_bus.node}), include/linux/pci.h.
 */
public final class PciDevices {
    /** Deeper than PCI allows: 256 bus numbers per domain. */
    private static final int MAX_DEPTH = 256;
    /** More functions than a PCI domain holds (256 buses x 32 devices x 8 functions). */
    private static final int LIMIT = 65_536;

    private PciDevices() {
    }

    /**
     * One PCI function.
     *
     * @param name       its device name, "DDDD:BB:SS.F" (pci_dev.dev.kobj.name)
     * @param classCode  base class and subclass, {@code pci_dev.class >> 8} (the low byte is the programming interface)
     * @param headerType {@code hdr_type}: 0 normal, 1 PCI-to-PCI bridge, 2 CardBus bridge
     * @param pcieCap    offset of the PCI Express capability, 0 for a conventional PCI device; -1 when the kernel has no such member
     * @param pcieFlags  the PCI Express capabilities register as cached in {@code pcie_flags_reg}; -1 when the kernel has no such member
     */
    public record PciDevice(@Hex long address, String name, int classCode, int vendor, int device, int headerType,
                            int pcieCap, int pcieFlags) {
        /**
         * {@return the device/port type of the PCI Express capabilities register (bits 7:4,
         * PCI_EXP_FLAGS_TYPE in include/uapi/linux/pci_regs.h) by its PCI_EXP_TYPE_* name, empty when
         * the kernel does not cache the register; like crash, a conventional PCI device's zero reads as ENDPOINT}
         */
        public String pcieType() {
            if (pcieFlags < 0) {
                return "";
            }
            return switch ((pcieFlags & 0xf0) >> 4) {
                case 0x0 -> "ENDPOINT";
                case 0x1 -> "LEG_END";
                case 0x4 -> "ROOT_PORT";
                case 0x5 -> "UPSTREAM";
                case 0x6 -> "DOWNSTREAM";
                case 0x7 -> "PCI_BRIDGE";
                case 0x8 -> "PCIE_BRIDGE";
                case 0x9 -> "RC_END";
                case 0xa -> "RC_EC";
                default -> "";
            };
        }

        /** {@return whether the header is a bridge's, PCI-to-PCI or CardBus (PCI_HEADER_TYPE_BRIDGE, _CARDBUS)} */
        public boolean bridge() {
            return headerType == 1 || headerType == 2;
        }
    }

    /**
     * One bus.
     *
     * @param name     its name, "DDDD:BB" (pci_bus.dev.kobj.name)
     * @param parent   the parent bus, 0 for a root bus
     * @param self     the bridge that leads to it, null for a root bus
     * @param devices  the functions on it
     * @param children the buses behind its bridges
     */
    public record PciBus(@Hex long address, String name, @Hex long parent, PciDevice self, List<PciDevice> devices,
                         List<PciBus> children) {
        public PciBus {
            devices = List.copyOf(devices);
            children = List.copyOf(children);
        }
    }

    public record Table(List<PciBus> roots, List<Finding> findings) {
        public Table {
            roots = List.copyOf(roots);
            findings = List.copyOf(findings);
        }
    }

    /** {@return whether the kernel keeps the list this walks} */
    public static boolean available(Program p) {
        return p.symbols().lookup("pci_root_buses").isPresent();
    }

    public static Table of(Program p) throws MemoryFault, UnknownSymbolException {
        List<Finding> findings = new ArrayList<>();
        long head = p.address("pci_root_buses");
        long node = KernelObject.at(p, "pci_bus", 0).member("node").offset();
        Lists.Walk roots = Lists.listForEachEntry(p, "pci_root_buses", head, node, LIMIT);
        findings.addAll(roots.findings());
        Walker w = new Walker(p, findings);
        List<PciBus> out = new ArrayList<>();
        for (long b : roots.entries()) {
            PciBus bus = w.bus(b, 0);
            if (bus != null) {
                out.add(bus);
            }
        }
        return new Table(out, findings);
    }

    private static final class Walker {
        private final Program p;
        private final List<Finding> findings;
        private final Set<Long> seen = new HashSet<>();
        private final long busNode;
        private final long devBusList;
        private final boolean flags;
        private final boolean cap;

        Walker(Program p, List<Finding> findings) {
            this.p = p;
            this.findings = findings;
            this.busNode = KernelObject.at(p, "pci_bus", 0).member("node").offset();
            this.devBusList = KernelObject.at(p, "pci_dev", 0).member("bus_list").offset();
            var dev = KernelObject.at(p, "pci_dev", 0).struct();
            this.flags = dev.member("pcie_flags_reg").isPresent();
            this.cap = dev.member("pcie_cap").isPresent();
        }

        PciBus bus(long b, int depth) {
            if (!seen.add(b)) { // a bus that is its own descendant
                findings.add(new ListCorruption(ListCorruption.Damage.LOOP, "PCI bus tree", b, b, 0, b, seen.size(), List.of()));
                return null;
            }
            try {
                KernelObject o = KernelObject.at(p, "pci_bus", b);
                String name = kobjectName(o);
                long parent = o.read("parent");
                long self = o.read("self");
                PciDevice selfDevice = self == 0 ? null : device(self);
                Lists.Walk devs = Lists.listForEachEntry(p, "pci_bus " + Long.toHexString(b) + " devices", o.addressOf("devices"), devBusList, LIMIT);
                findings.addAll(devs.findings());
                List<PciDevice> devices = new ArrayList<>();
                for (long d : devs.entries()) {
                    PciDevice pd = device(d);
                    if (pd != null) {
                        devices.add(pd);
                    }
                }
                List<PciBus> children = new ArrayList<>();
                if (depth < MAX_DEPTH) {
                    Lists.Walk kids = Lists.listForEachEntry(p, "pci_bus " + Long.toHexString(b) + " children", o.addressOf("children"), busNode, LIMIT);
                    findings.addAll(kids.findings());
                    for (long c : kids.entries()) {
                        PciBus child = bus(c, depth + 1);
                        if (child != null) {
                            children.add(child);
                        }
                    }
                } else {
                    findings.add(new ListCorruption(ListCorruption.Damage.TOO_LONG, "PCI bus tree", b, b, 0, b, depth, List.of()));
                }
                return new PciBus(b, name, parent, selfDevice, devices, children);
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("pci_bus " + Long.toHexString(b), f));
                return null;
            }
        }

        PciDevice device(long d) {
            try {
                KernelObject o = KernelObject.at(p, "pci_dev", d);
                return new PciDevice(d, kobjectName(o), (int) (o.read("class") >>> 8), (int) o.read("vendor"), (int) o.read("device"),
                        (int) o.read("hdr_type"), cap ? (int) o.read("pcie_cap") : -1, flags ? (int) o.read("pcie_flags_reg") : -1);
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("pci_dev " + Long.toHexString(d), f));
                return null;
            }
        }

        /** {@return the name of the {@code struct device} embedded as {@code dev}: dev_name(), its kobject's name} */
        private String kobjectName(KernelObject o) throws MemoryFault {
            long name = o.read("dev.kobj.name");
            return name == 0 ? "" : p.kernel().cstring(name, 256);
        }
    }
}
