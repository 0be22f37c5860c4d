package dev.kdive.oops;

import dev.kdive.value.Hex;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a call trace, or the RIP of a report: {@code function+0xOFF/0xSIZE [module]} as
 * printk's {@code %pS}/{@code %pB} prints it (lib/vsprintf.c, kernel/kallsyms.c sprint_symbol),
 * possibly after the address in brackets older kernels print ({@code [<ffffffff8110ab95>]}), or
 * only an address when no symbol was found.
 *
 * @param function  symbol name, null when only an address was printed
 * @param offset    offset into the function
 * @param size      the function's size as the running kernel knew it (0 when not printed)
 * @param module    module name for module code, else null
 * @param address   the address when printed (old kernels, unknown symbols, user RIP), else 0
 * @param reliable  false for the frames printed with "? " (found on the stack, not proven by the unwinder)
 * @param context   the stack the frame is on: "TASK", "IRQ", "NMI", "SOFTIRQ"... null when not marked
 * @param exception true for a RIP printed inside the trace (the interrupted code of an exception or IRQ frame)
 */
public record Frame(String function, @Hex long offset, @Hex long size, String module, @Hex long address, boolean reliable,
                    String context, boolean exception) {

    static final Pattern SYMBOLIC = Pattern.compile(
            "([A-Za-z_.$][\\w.$]*)\\+0x([0-9a-fA-F]+)(?:/0x([0-9a-fA-F]+))?(?:\\s+\\[([\\w-]+)(?:\\s+[0-9a-f]+)?\\])?");
    private static final Pattern BRACKETED = Pattern.compile("\\[<([0-9a-fA-F]+)>\\]\\s*");
    private static final Pattern POWERPC = Pattern.compile("\\[[0-9a-f]{8,16}\\] \\[([0-9a-f]{8,16})\\] ");
    static final Pattern SOURCE = Pattern.compile("[\\w./+-]+:\\d+(?::\\d+)?");
    /** A function the compiler inlined into the frame below, as symbolized reports print it: "do_mount fs/namespace.c:3248 [inline]". */
    static final Pattern INLINED = Pattern.compile("[A-Za-z_.$][\\w.$]* [\\w./+-]+:\\d+(?::\\d+)? \\[inline\\]");
    private static final Pattern ADDRESS = Pattern.compile("(?:0x)?([0-9a-fA-F]{8,16})\\b");

    /** {@return the name without the compiler's clone suffixes (.cold, .isra.0, .constprop.0, .part.0, .llvm.N)} */
    public String baseFunction() {
        return function == null ? null : baseName(function);
    }

    /** {@return a function name without the compiler's clone suffixes} */
    public static String baseName(String f) {
        int dot = f.indexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }

    /** {@return whether this is kernel code named by a symbol} */
    public boolean symbolic() {
        return function != null;
    }

    /** {@return the frame as the kernel printed it: "? func+0x1/0x2 [mod]"} */
    public String text() {
        StringBuilder b = new StringBuilder();
        if (!reliable) {
            b.append("? ");
        }
        if (function == null) {
            b.append(String.format("0x%x", address));
        } else {
            b.append(symbol());
        }
        return b.toString();
    }

    /** {@return "func+0x1/0x2 [mod]" (what addr2line and faddr2line take)} */
    public String symbol() {
        if (function == null) {
            return String.format("0x%x", address);
        }
        StringBuilder b = new StringBuilder(function).append("+0x").append(Long.toHexString(offset));
        if (size != 0) {
            b.append("/0x").append(Long.toHexString(size));
        }
        if (module != null) {
            b.append(" [").append(module).append(']');
        }
        return b.toString();
    }

    /**
     * {@return the frame printed in {@code s} ("? func+0x1/0x2 [mod]", "[<ffffffff81>] func+0x1/0x2",
     * "0xffffffffc0123456"), or null when the text is not a frame}
     */
    static Frame parse(String s, String context) {
        String t = s.strip();
        boolean reliable = true;
        long address = 0;
        for (int guard = 0; guard < 4; guard++) {
            if (t.startsWith("? ")) {
                reliable = false;
                t = t.substring(2).stripLeading();
            } else if (t.startsWith("[") && POWERPC.matcher(t).lookingAt()) {
                Matcher m = POWERPC.matcher(t); // powerpc: "[c000002fc621f1e0] [c00000000007c6f0] func+0x10c/0x118 (unreliable)"
                m.lookingAt();
                address = parseHex(m.group(1));
                reliable = !t.endsWith("(unreliable)");
                t = t.substring(m.end());
            } else if (t.startsWith("[<")) {
                Matcher m = BRACKETED.matcher(t);
                if (!m.lookingAt()) {
                    return null;
                }
                address = parseHex(m.group(1));
                t = t.substring(m.end());
            } else {
                break;
            }
        }
        Frame symbolic = symbolic(t, address, reliable, context);
        if (symbolic != null) {
            return symbolic == NOT_A_FRAME ? null : symbolic;
        }
        if (address != 0 && t.isEmpty()) {
            return new Frame(null, 0, 0, null, address, reliable, context, false);
        }
        Matcher a = ADDRESS.matcher(t);
        if (address == 0 && t.startsWith("0x") && a.matches()) {
            return new Frame(null, 0, 0, null, parseHex(a.group(1)), reliable, context, false);
        }
        return null;
    }

    private static final Frame NOT_A_FRAME = new Frame(null, 0, 0, null, 0, false, null, false);

    /**
     * {@return "func+0x1/0x2 [mod]" at the start of t as a frame ({@link #SYMBOLIC}, read by hand: a
     * trace's every line asks), {@link #NOT_A_FRAME} when text that no frame has follows it, or null
     * when t does not start so}
     */
    private static Frame symbolic(String t, long address, boolean reliable, String context) {
        int n = t.length();
        int i = 0;
        if (n == 0 || !(Character.isLetter(t.charAt(0)) && t.charAt(0) < 128 || t.charAt(0) == '_' || t.charAt(0) == '.' || t.charAt(0) == '$')) {
            return null;
        }
        while (i < n && (nameChar(t.charAt(i)))) {
            i++;
        }
        if (!t.startsWith("+0x", i)) {
            return null;
        }
        String function = t.substring(0, i);
        int o = i + 3;
        int oe = hexEnd(t, o);
        if (oe == o) {
            return null;
        }
        long offset = parseHex(t.substring(o, oe));
        long size = 0;
        i = oe;
        if (t.startsWith("/0x", i) && hexEnd(t, i + 3) > i + 3) {
            int se = hexEnd(t, i + 3);
            size = parseHex(t.substring(i + 3, se));
            i = se;
        }
        String module = null;
        int b = i;
        while (b < n && Character.isWhitespace(t.charAt(b))) {
            b++;
        }
        if (b > i && b < n && t.charAt(b) == '[') { // " [mod]" or " [mod 0123abcd]" (a build id)
            int me = b + 1;
            while (me < n && (wordChar(t.charAt(me)) || t.charAt(me) == '-')) {
                me++;
            }
            int close = me;
            if (me > b + 1 && close < n && Character.isWhitespace(t.charAt(close))) {
                int h = close;
                while (h < n && Character.isWhitespace(t.charAt(h))) {
                    h++;
                }
                int he = lowerHexEnd(t, h);
                close = he > h ? he : -1;
            }
            if (me > b + 1 && close > 0 && close < n && t.charAt(close) == ']') {
                module = t.substring(b + 1, me);
                i = close + 1;
            }
        }
        String rest = t.substring(i).strip();
        // what may follow a frame: "()" of old WARNINGs, ppc's "(unreliable)", arm's " from [<...>]", and
        // the file:line that syzbot's and scripts/decode_stacktrace.sh's symbolized reports add
        if (!rest.isEmpty() && !rest.startsWith("(") && !rest.startsWith("from") && !rest.startsWith("[")
                && !SOURCE.matcher(rest).matches()) {
            return NOT_A_FRAME;
        }
        return new Frame(function, offset, size, module, address, reliable, context, false);
    }

    private static boolean nameChar(char c) {
        return wordChar(c) || c == '.' || c == '$';
    }

    static boolean wordChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** {@return where the run of lowercase hex digits at i ends} (addresses and build ids print so) */
    static int lowerHexEnd(String t, int i) {
        while (i < t.length() && (t.charAt(i) >= '0' && t.charAt(i) <= '9' || t.charAt(i) >= 'a' && t.charAt(i) <= 'f')) {
            i++;
        }
        return i;
    }

    private static int hexEnd(String t, int i) {
        while (i < t.length() && (t.charAt(i) >= '0' && t.charAt(i) <= '9' || t.charAt(i) >= 'a' && t.charAt(i) <= 'f'
                || t.charAt(i) >= 'A' && t.charAt(i) <= 'F')) {
            i++;
        }
        return i;
    }

    static long parseHex(String h) {
        try {
            return Long.parseUnsignedLong(h, 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
