package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ascii [VALUE…]}: each hex value's 8 bytes as characters in memory order (little-endian),
 * control characters by their names ({@code <NUL>}, {@code <LF>}) and others as {@code <ff>}, as
 * crash prints them; without a value, the ASCII chart.
 */
final class AsciiCommand implements ShellCommand {
    /** The names of the control characters 0x00-0x1f, then DEL (ASCII, ECMA-6). */
    private static final String[] CONTROL = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF",
            "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US"};

    @Override
    public String name() {
        return "ascii";
    }

    @Override
    public String synopsis() {
        return "ascii [VALUE…]             hex value(s) as characters, in memory order; no value: the ASCII chart";
    }

    @Override
    public String example() {
        return "ascii 62696c2f7273752f     62696c2f7273752f: /usr/lib";
    }

    /** One value and its bytes as text. */
    record Translation(@dev.kdive.value.Hex long value, String text) {}

    record Translations(List<Translation> values) implements Output {
        @Override
        public void text(PrintWriter out) {
            values.forEach(t -> out.printf("%016x: %s%n", t.value(), t.text()));
        }

        @Override
        public Object json() {
            return values;
        }
    }

    /** The 128 characters, 8 columns (high nibble) by 16 rows (low nibble), as crash draws them. */
    record Chart(List<String> rows) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println();
            rows.forEach(out::println);
        }
    }

    static String character(int b) {
        if (b < 0x20) {
            return "<" + CONTROL[b] + ">";
        }
        if (b == 0x7f) {
            return "<DEL>";
        }
        return b < 0x7f ? String.valueOf((char) b) : String.format("<%02x>", b);
    }

    private static Chart chart() {
        List<String> rows = new ArrayList<>();
        rows.add("      0    1   2   3   4   5   6   7");
        rows.add("    +-------------------------------");
        for (int low = 0; low < 16; low++) {
            StringBuilder r = new StringBuilder(String.format("  %X |", low));
            for (int high = 0; high < 8; high++) {
                int c = high << 4 | low;
                String name = c < 0x20 ? CONTROL[c] : c == 0x20 ? "SP" : c == 0x7f ? "DEL" : String.valueOf((char) c);
                r.append(name.length() > 1 ? String.format(" %3s", name) : "  " + name + " ");
            }
            rows.add(r.toString().stripTrailing());
        }
        return new Chart(rows);
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            return chart();
        }
        List<Translation> out = new ArrayList<>();
        for (String a : args) {
            if (!Args.looksHex(a)) {
                throw new UsageException("ascii: not a hex value: " + a);
            }
            long v = Args.address(p, "ascii", a);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                text.append(character((int) (v >>> (8 * i)) & 0xff));
            }
            out.add(new Translation(v, text.toString()));
        }
        return new Translations(out);
    }
}
