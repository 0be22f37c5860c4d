package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Swap;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.List;

/** {@code swap}: swap areas in use: TYPE, SIZE, USED, PCT, PRI, FILENAME, crash's layout. */
final class SwapCommand implements ShellCommand {
    @Override
    public String name() {
        return "swap";
    }

    @Override
    public String synopsis() {
        return "swap                       swap areas: SWAP_INFO_STRUCT TYPE SIZE USED PCT PRI FILENAME";
    }

    @Override
    public String example() {
        return "swap                       each swap partition or file, its size and how much of it is used";
    }

    record Listing(Swap.Areas areas) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("SWAP_INFO_STRUCT    TYPE       SIZE       USED     PCT  PRI  FILENAME");
            for (Swap.Area a : areas.areas()) {
                long kb = a.pages() * 4;
                long used = a.usedPages() * 4;
                long pct = kb == 0 ? 0 : used * 100 / kb;
                out.println(Text.centre(Long.toHexString(a.address()), 16, false) + "  " + (a.partition() ? "PARTITION" : "  FILE   ") + " "
                        + Text.centre(kb + "k", 10, true) + " " + Text.centre(used + "k", 10, true) + " "
                        + Text.centre(String.format("%2d%%", pct), 4, true) + " " + String.format("%4d", a.priority()) + "  " + a.file());
            }
            areas.findings().forEach(f -> out.println("swap: " + f.summary()));
        }

        @Override
        public Object json() {
            return areas;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("swap: takes no arguments");
        }
        try {
            return new Listing(Swap.of(p));
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("swap: " + e.getMessage());
        }
    }
}
