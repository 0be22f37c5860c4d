package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Devices;
import dev.kdive.kernel.Disks;
import dev.kdive.kernel.PciDevices;
import dev.kdive.kernel.Resources;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code dev}: registered character and block device majors with their cdev/gendisk and operations, crash's layout. */
final class DevCommand implements ShellCommand {
    @Override
    public String name() {
        return "dev";
    }

    @Override
    public String synopsis() {
        return "dev [-i | -p | -d | -D]    device majors: NAME, CDEV or GENDISK, OPERATIONS; -i I/O port and memory resources;"
                + " -p PCI buses and devices; -d (-D: non-zero) disks' requests in flight, no DRV column";
    }

    @Override
    public String example() {
        return "dev -p                     ffff8e9781863000 0000:00:02.0  0200  8086:10d3   RC_END";
    }

    /** The table, and each operations pointer's symbol. */
    record Listing(Devices.Table table, Map<Long, String> ops) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("CHRDEV    NAME           " + Text.centre("CDEV", 16, false) + "  " + String.format("%-16s", "OPERATIONS"));
            table.character().forEach(m -> row(out, m));
            out.println();
            out.println("BLKDEV    NAME           " + Text.centre("GENDISK", 16, true) + "  " + String.format("%-16s", "OPERATIONS"));
            table.block().forEach(m -> row(out, m));
            table.findings().forEach(f -> out.println("dev: " + f.summary()));
        }

        private void row(PrintWriter out, Devices.Major m) {
            String lead = String.format(" %3d      %-13s ", m.major(), m.name());
            if (m.ops() == 0) {
                out.println(lead + " " + Text.centre("(none)", 16, false));
            } else {
                out.println(lead + String.format(" %16x  ", m.device()) + ops.get(m.ops()));
            }
        }

        @Override
        public Object json() {
            return table;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.size() == 1 && args.getFirst().equals("-i")) {
            try {
                return new IoResources(Resources.of(p));
            } catch (MemoryFault | UnknownSymbolException e) {
                return Text.of("dev: " + e.getMessage());
            }
        }
        if (args.size() == 1 && args.getFirst().equals("-p")) {
            if (!PciDevices.available(p)) {
                return Text.of("dev: -p: this kernel has no pci_root_buses (no PCI)");
            }
            try {
                return new Pci(PciDevices.of(p));
            } catch (MemoryFault | UnknownSymbolException e) {
                return Text.of("dev: " + e.getMessage());
            }
        }
        if (args.size() == 1 && (args.getFirst().equals("-d") || args.getFirst().equals("-D"))) {
            return new DiskIo(Disks.of(p), args.getFirst().equals("-D"));
        }
        if (!args.isEmpty()) {
            throw new UsageException("dev: " + String.join(" ", args) + ": only dev, dev -i, dev -p, dev -d and dev -D are supported (-V and -v are not)");
        }
        try {
            Devices.Table t = Devices.of(p);
            Map<Long, String> names = new HashMap<>();
            for (var m : t.character()) {
                names.computeIfAbsent(m.ops(), o -> BtCommand.symbolize(p, o, false));
            }
            for (var m : t.block()) {
                names.computeIfAbsent(m.ops(), o -> BtCommand.symbolize(p, o, false));
            }
            return new Listing(t, names);
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("dev: " + e.getMessage());
        }
    }

    /** {@code dev -i}: each resource tree, crash's layout: addresses, the range as wide as the root's end needs, the name. */
    record IoResources(List<Resources.Tree> trees) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < trees.size(); i++) {
                Resources.Tree t = trees.get(i);
                if (i > 0) {
                    out.println();
                }
                int digits = Long.compareUnsigned(t.rootEnd(), 0xffff) > 0 ? 8 : 4;
                int range = 2 * digits + 1;
                out.println(Text.centre("RESOURCE", 16, false) + "  " + Text.centre("RANGE", range, false) + "  NAME");
                String format = "%8x  %0" + digits + "x-%0" + digits + "x";
                int wrap = 16 + 2 + range + 2;
                for (Resources.Resource r : t.resources()) {
                    String lead = String.format(format, r.address(), r.start(), r.end());
                    String name = r.name() == null ? "(unknown)" : r.name();
                    int split = split(name, wrap);
                    if (split < 0) {
                        out.println(lead + "  " + name);
                    } else { // crash folds a name that would pass column 80 at a space, the rest under the NAME column
                        out.println(lead + "  " + name.substring(0, split));
                        out.println(" ".repeat(wrap) + name.substring(split + 1));
                    }
                }
                t.findings().forEach(f -> out.println("dev: " + f.summary()));
            }
        }

        /** {@return where to fold a name that would not end by column 80: the last space early enough, -1 for none or no need} */
        private static int split(String name, int wrap) {
            int over = wrap + name.length() - 80;
            if (over <= 0) {
                return -1;
            }
            for (int i = name.length() - 1 - over; i > 0; i--) {
                if (name.charAt(i) == ' ') {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public Object json() {
            return trees;
        }
    }

    /** {@code dev -p}: each root bus, its devices, then each bus behind it, crash's layout. */
    record Pci(PciDevices.Table table) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (PciDevices.PciBus root : table.roots()) {
                out.println(Text.centre("ROOT BUS", 16, false) + " " + Text.centre("BUSNAME", 7, false));
                out.println(String.format("%-16x ", root.address()) + Text.centre(root.name(), 7, false));
                devices(out, root);
                children(out, root);
                out.println();
            }
            table.findings().forEach(f -> out.println("dev: " + f.summary()));
        }

        private static void children(PrintWriter out, PciDevices.PciBus bus) {
            for (PciDevices.PciBus child : bus.children()) {
                out.println("  " + Text.centre("PCI BUS", 16, false) + " " + Text.centre("PARENT BUS", 16, false));
                out.println(String.format("  %-16x %-16x", child.address(), child.parent()));
                devices(out, child);
                out.println();
                children(out, child);
            }
        }

        private static void devices(PrintWriter out, PciDevices.PciBus bus) {
            boolean types = bus.self() != null ? bus.self().pcieFlags() >= 0
                    : bus.devices().isEmpty() || bus.devices().getFirst().pcieFlags() >= 0;
            out.println("  " + Text.centre("PCI DEV", 16, false) + " " + Text.centre("DO:BU:SL.FN", 12, false) + " "
                    + Text.centre("CLASS", 6, false) + " " + Text.centre("PCI_ID", 9, false) + (types ? " " + Text.centre("TYPE", 10, false) : ""));
            if (bus.self() != null) {
                device(out, bus.self());
            }
            bus.devices().forEach(d -> device(out, d));
        }

        private static void device(PrintWriter out, PciDevices.PciDevice d) {
            String type = d.pcieType() + (d.bridge() ? " [BRIDGE]" : "");
            out.println(String.format("  %-16x ", d.address()) + Text.centre(d.name(), 12, false) + " "
                    + Text.centre(String.format("%04x", d.classCode()), 6, false) + " "
                    + Text.centre(String.format("%x:%x", d.vendor(), d.device()), 9, false)
                    + (d.pcieFlags() >= 0 ? " " + Text.centre(type, 10, false) : ""));
        }

        @Override
        public Object json() {
            return table;
        }
    }

    /** {@code dev -d} / {@code -D}: crash's layout, READ and WRITE being requests in flight. */
    record DiskIo(Disks.Table table, boolean nonZeroOnly) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println(String.format("MAJOR %-18s NAME       %-18s %5s %5s %5s ", "GENDISK", "REQUEST_QUEUE", "TOTAL", "READ", "WRITE"));
            for (Disks.Disk d : table.disks()) {
                if (nonZeroOnly && d.total() == 0) {
                    continue;
                }
                out.println(String.format("%5d %-16x  %-10s %-16x  %5d %5d %5d ", d.major(), d.gendisk(), d.name(), d.queue(), d.total(), d.read(), d.write()));
            }
            table.findings().forEach(f -> out.println("dev: " + f.summary()));
        }

        @Override
        public Object json() {
            return table;
        }
    }
}
