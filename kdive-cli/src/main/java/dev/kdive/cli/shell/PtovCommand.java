package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    record Pairs(List<long[]> pairs) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("VIRTUAL           PHYSICAL        ");
            for (long[] p : pairs) {
                out.printf("%-16x  %x%n", p[0], p[1]);
            }
        }

        @Override
        public Object json() {
            List<Object> out = new ArrayList<>();
            for (long[] p : pairs) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("virtual", Hex.of(p[0]));
                m.put("physical", Hex.of(p[1]));
                out.add(m);
            }
            return out;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("ptov: give a physical address");
        }
        List<long[]> pairs = new ArrayList<>();
        for (String a : args) {
            if (!Args.looksHex(a)) {
                throw new UsageException("ptov: not a hex physical address: " + a);
            }
            long phys = Args.address(p, "ptov", a);
            pairs.add(new long[] {p.layout().directMap(phys), phys});
        }
        return new Pairs(pairs);
    }
}
