package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** crash's {@code btop ADDR…} (the page frame number of an address) and {@code ptob PFN…} (a page's first byte). */
final class PageNumberCommand implements ShellCommand {
    private final boolean toPage;

    /** @param toPage {@code btop}; else {@code ptob} */
    PageNumberCommand(boolean toPage) {
        this.toPage = toPage;
    }

    @Override
    public String name() {
        return toPage ? "btop" : "ptob";
    }

    @Override
    public String synopsis() {
        return toPage ? "btop ADDR…                 bytes to page: an address's page frame number (ADDR >> 12)"
                : "ptob PFN…                  page to bytes: a page frame number's first address (PFN << 12)";
    }

    @Override
    public String example() {
        return toPage ? "btop 512a000               512a000: 512a" : "ptob 512a                   512a: 512a000";
    }

    /** One value and what it translates to. */
    record Pair(@dev.kdive.value.Hex long given, @dev.kdive.value.Hex long result) {}

    record Pairs(List<Pair> pairs) implements Output {
        @Override
        public void text(PrintWriter out) {
            pairs.forEach(p -> out.printf("%x: %x%n", p.given(), p.result()));
        }

        @Override
        public Object json() {
            return pairs;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException(name() + ": give " + (toPage ? "an address" : "a page frame number") + " in hex");
        }
        List<Pair> out = new ArrayList<>();
        for (String a : args) {
            if (!Args.looksHex(a)) { // crash reads both as hex: btop 4096 is page 4
                throw new UsageException(name() + ": not a valid number: " + a);
            }
            long v = Args.address(p, name(), a);
            out.add(new Pair(v, toPage ? v >>> 12 : v << 12));
        }
        return new Pairs(out);
    }
}
