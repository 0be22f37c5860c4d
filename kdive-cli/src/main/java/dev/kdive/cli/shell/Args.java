package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command's arguments split into flags and operands the way crash reads them: flags first or
 * anywhere, some taking a value ({@code -e END}, {@code -c PID}).
 */
final class Args {
    private final String command;
    private final Map<String, String> flags = new HashMap<>();
    private final List<String> operands = new ArrayList<>();

    Args(String command, List<String> args, Set<String> booleanFlags, Set<String> valueFlags) throws UsageException {
        this.command = command;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-") && a.length() > 1) {
                if (booleanFlags.contains(a)) {
                    flags.put(a, "");
                } else if (valueFlags.contains(a)) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(command + ": " + a + " needs a value");
                    }
                    flags.put(a, args.get(++i));
                } else {
                    throw new UsageException(command + ": unknown option " + a);
                }
            } else {
                operands.add(a);
            }
        }
    }

    boolean has(String flag) {
        return flags.containsKey(flag);
    }

    Optional<String> value(String flag) {
        return Optional.ofNullable(flags.get(flag));
    }

    List<String> operands() {
        return operands;
    }

    /**
     * {@return the address an expression names: hex (crash reads addresses as hex, 0x optional),
     * a symbol, or symbol+offset / symbol-offset (offset in hex with 0x, else decimal)}
     */
    static long address(Program p, String command, String expr) throws UsageException {
        String e = expr.strip();
        int op = Math.max(e.lastIndexOf('+'), e.lastIndexOf('-'));
        if (op > 0) {
            long base = address(p, command, e.substring(0, op));
            long off = number(command, e.substring(op + 1));
            return e.charAt(op) == '+' ? base + off : base - off;
        }
        if (looksHex(e)) {
            return Long.parseUnsignedLong(e.startsWith("0x") || e.startsWith("0X") ? e.substring(2) : e, 16);
        }
        Optional<Symbol> s = p.symbolNamed(e);
        if (s.isEmpty()) {
            throw new UsageException(command + ": invalid address or unknown symbol: " + expr);
        }
        return s.get().address();
    }

    /** {@return whether a word reads as a hex address: 0x-prefixed, or all hex digits} */
    static boolean looksHex(String e) {
        String digits = e.startsWith("0x") || e.startsWith("0X") ? e.substring(2) : e;
        return !digits.isEmpty() && digits.length() <= 16 && digits.chars().allMatch(c -> Character.digit(c, 16) >= 0)
                && (digits.length() != e.length() || digits.chars().anyMatch(Character::isDigit));
    }

    static long number(String command, String s) throws UsageException {
        try {
            return s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": not a number: " + s);
        }
    }

    String command() {
        return command;
    }

    /** A CPU list as crash's -C (timer) and -c (runq) take it: "all", or numbers and ranges separated by commas. */
    static java.util.function.IntPredicate cpus(String command, String flag, String spec) throws UsageException {
        if (spec == null || spec.equals("all")) {
            return cpu -> true;
        }
        java.util.BitSet set = new java.util.BitSet();
        try {
            for (String part : spec.split(",")) {
                String[] r = part.split("-", 2);
                int lo = Integer.parseInt(r[0].strip());
                int hi = r.length > 1 ? Integer.parseInt(r[1].strip()) : lo;
                if (lo < 0 || hi < lo || hi > 1 << 16) {
                    throw new NumberFormatException(part);
                }
                set.set(lo, hi + 1);
            }
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": " + flag + " " + spec + ": not a CPU list (0,2-3 or all)");
        }
        return set::get;
    }
}
