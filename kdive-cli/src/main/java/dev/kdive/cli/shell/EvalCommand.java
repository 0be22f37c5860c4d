package dev.kdive.cli.shell;

import dev.kdive.program.Arithmetic;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@code eval [-b] [-l] EXPRESSION}: crash's calculator. The value in hex (with its size when it is a
 * whole number of KB, MB or GB), decimal (and signed, when the top bit is set), octal and 64 binary
 * digits; {@code -b} the set bits, highest first.
 */
final class EvalCommand implements ShellCommand {
    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String synopsis() {
        return "eval [-b] [-l] EXPR        calculator: hex, decimal, octal, binary (+ - * / % & | ^ << >> ~, k/m/g, symbols); -b set bits";
    }

    @Override
    public String example() {
        return "eval (1 << 27) + 4k       hexadecimal: 8001000 … and the same in decimal, octal and binary";
    }

    /** A computed value; {@code bits}: whether its set bits are listed. */
    record Evaluation(String expression, @dev.kdive.value.Hex long value, boolean bits) implements Output {
        /** {@return "(5KB)", "(128MB)", "(4GB)": the value as a whole number of a unit, as crash appends it; empty otherwise} */
        String size() {
            if (value == 0) {
                return "";
            }
            for (var unit : List.of(new Object[] {30, "GB"}, new Object[] {20, "MB"}, new Object[] {10, "KB"})) {
                int shift = (int) unit[0];
                if ((value & ((1L << shift) - 1)) == 0) {
                    return "(" + Long.toUnsignedString(value >>> shift) + unit[1] + ")";
                }
            }
            return "";
        }

        List<Integer> setBits() {
            List<Integer> out = new ArrayList<>();
            for (int b = 63; b >= 0; b--) {
                if ((value & (1L << b)) != 0) {
                    out.add(b);
                }
            }
            return out;
        }

        @Override
        public void text(PrintWriter out) {
            out.println("hexadecimal: " + Long.toHexString(value) + "  " + size());
            out.println("    decimal: " + Long.toUnsignedString(value) + "  " + (value < 0 ? "(" + value + ")" : ""));
            out.println("      octal: " + Long.toOctalString(value));
            String binary = Long.toBinaryString(value);
            out.println("     binary: " + "0".repeat(64 - binary.length()) + binary);
            if (bits) {
                StringBuilder b = new StringBuilder("   bits set: ");
                setBits().forEach(i -> b.append(i).append(' '));
                out.println(b);
            }
        }

        @Override
        public Object json() {
            return java.util.Map.of("expression", expression, "value", "0x" + Long.toHexString(value),
                    "decimal", Long.toUnsignedString(value), "signed", value, "bitsSet", setBits());
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        boolean bits = false;
        int i = 0;
        for (; i < args.size() && args.get(i).matches("-[bl]+"); i++) { // crash: flags precede the expression; -l is 64-bit, always so here
            bits |= args.get(i).contains("b");
        }
        String expr = String.join(" ", args.subList(i, args.size()));
        if (expr.isBlank()) {
            throw new UsageException("eval: give an expression or a value, e.g. eval (1 << 27)");
        }
        try {
            return new Evaluation(expr, Arithmetic.evaluate(expr, name -> p.symbolNamed(name).map(Symbol::address)
                    .map(OptionalLong::of).orElse(OptionalLong.empty())), bits);
        } catch (IllegalArgumentException e) {
            throw new UsageException("eval: " + e.getMessage());
        }
    }
}
