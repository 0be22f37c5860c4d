package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Devices;
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
        return "dev                        character and block majors: NAME, CDEV or GENDISK, OPERATIONS";
    }

    @Override
    public String example() {
        return "dev                        1 mem ffff8e9781850e80 memory_fops … 259 blkext (none)";
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
        if (!args.isEmpty()) {
            throw new UsageException("dev: " + String.join(" ", args) + ": only the device majors are shown yet (-d, -D, -i and -p are not supported)");
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
}
