package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code ptov}: a physical address's direct-map virtual address ({@code page_offset_base} + phys). */
final class PtovCommand implements ShellCommand {
    @Override
    public String name() {
        return "ptov";
    }

    @Override
    public String synopsis() {
        return "ptov PHYS...              physical to direct-map virtual address";
    }

    @Override
    public String example() {
        return "ptov 0x1000000           the direct-map address of physical 16 MiB";
    }

    /** One answer: a physical address and its direct-map virtual address. */
    record Pair(@dev.kdive.value.Hex long virtual, @dev.kdive.value.Hex long physical) {}

    record Pairs(List<Pair> pairs) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("VIRTUAL           PHYSICAL        ");
            for (Pair p : pairs) {
                out.printf("%-16x  %x%n", p.virtual(), p.physical());
            }
        }

        @Override
        public Object json() {
            return pairs;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("ptov: give a physical address");
        }
        List<Pair> pairs = new ArrayList<>();
        for (String a : args) {
            if (!Args.looksHex(a)) {
                throw new UsageException("ptov: not a hex physical address: " + a);
            }
            long phys = Args.address(p, "ptov", a);
            pairs.add(new Pair(p.layout().directMap(phys), phys));
        }
        return new Pairs(pairs);
    }
}
