package dev.kdive.oops;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds every crash report in a kernel log (serial console, dmesg, journalctl -k, a bug report's
 * paste) and reads each into an {@link OopsReport}. Lines may carry printk timestamps
 * ({@code [  3.07]}), caller ids ({@code [ T123]}), syslog levels ({@code <4>}), syslog or journal
 * prefixes ({@code Jan  1 00:00:00 host kernel: }) or dmesg -x's ({@code kern  :warn  : }); lines
 * of other CPUs may be interleaved and the log may be cut anywhere. Never throws on any input.
 *
 * <p>Speed: a line is first tested by its first character against the letters report headers
 * begin with, without allocating; only lines inside a report are turned into strings.
 */
public final class OopsParser {
    /** A fragment's first line: x86's "RIP: 0010:func+0x1/0x2", arm64's "pc : func+0x1/0x2". */
    private static final java.util.regex.Pattern FRAGMENT_START = java.util.regex.Pattern.compile("RIP: |pc : |EIP: ");

    private OopsParser() {
    }

    /** {@return the reports in a log read as bytes (UTF-8, malformed bytes replaced)} */
    public static List<OopsReport> parse(byte[] log) {
        return parse(new String(log, StandardCharsets.UTF_8));
    }

    /** {@return the reports in the log, in order; empty when there is none} */
    public static List<OopsReport> parse(String log) {
        return parse(log, e -> { });
    }

    /**
     * {@return the reports in the log}; a line whose reading hit a bug of kdive's own is dropped
     * (a malformed line costs only itself) and the exception handed to {@code dropped}, so tests see
     * what users never should
     */
    static List<OopsReport> parse(String log, java.util.function.Consumer<RuntimeException> dropped) {
        List<OopsReport> reports = scan(log, new Scan(false), dropped);
        if (!reports.isEmpty() && log.contains(CONSOLE_HUNG_UP)) {
            // GCE's serial console dropped the connection: whatever follows the reports is lost (pkg/report marks them so)
            reports = reports.stream().map(r -> r.corrupted() != null ? r : r.corrupted("the console hung up (" + CONSOLE_HUNG_UP + ")")).toList();
        }
        return reports;
    }

    private static final String CONSOLE_HUNG_UP = "serialport: VM disconnected.";

    /**
     * {@return the registers and trace of a pasted fragment that has no report header (a bug report
     * often quotes only the "RIP:", "RSP: ... EFLAGS:" and "CS:" lines), read from its first
     * RIP/pc line; empty when there is no such line}. For text in which {@link #parse(String)}
     * found no report.
     */
    public static java.util.Optional<OopsReport> parseFragment(String log) {
        return scan(log, new Scan(true), e -> { }).stream().findFirst();
    }

    private static List<OopsReport> scan(String log, Scan scan, java.util.function.Consumer<RuntimeException> dropped) {
        int n = log.length();
        int pos = 0;
        int lineNo = 0;
        while (pos < n) {
            int nl = log.indexOf('\n', pos);
            if (nl < 0) {
                nl = n;
            }
            int end = nl;
            while (end > pos && (log.charAt(end - 1) == '\r' || log.charAt(end - 1) == '\0')) {
                end--;
            }
            lineNo++;
            try {
                scan.line(log, pos, end, lineNo);
            } catch (RuntimeException e) { // the parser's own bug on this line; handed on, never hidden from tests
                scan.abandonLine();
                dropped.accept(e);
            }
            pos = nl + 1;
        }
        return scan.finish();
    }

    private static final String NETDEV_WAIT = "unregister_netdevice: waiting for ";
    private static final String REPLAY = "** replaying previous printk message **";

    /** The scan over one log: the report being read, the ones done. */
    private static final class Scan {
        private final List<OopsReport> done = new ArrayList<>();
        private ReportBuilder current;
        /** Reports of other callers (printk caller ids) still being read while {@code current} is: by caller id. */
        private final java.util.Map<String, ReportBuilder> open = new java.util.LinkedHashMap<>();
        private String callerId;
        /** Whether the line being read carried a printk timestamp ("[    3.073018]"). */
        private boolean stamped;
        /** Whether a RIP/pc line without a header starts a fragment (parseFragment). */
        private final boolean fragment;

        Scan(boolean fragment) {
            this.fragment = fragment;
        }

        void line(String s, int start, int end, int lineNo) {
            int p = stripPrefixes(s, start, end);
            int t = p;
            while (t < end && (s.charAt(t) == ' ' || s.charAt(t) == '\t')) {
                t++;
            }
            if (s.startsWith(REPLAY, t) && current != null && current.line == lineNo - 1) {
                // kernel/printk: the header just read was cut, and is printed again whole next
                current = null;
                return;
            }
            if (t < end && Headers.mayStart(s.charAt(t))) {
                Header h = Headers.match(s.substring(t, end));
                if (h != null) {
                    header(h, lineNo);
                    return;
                }
            }
            int netdev = s.indexOf(NETDEV_WAIT, t, end); // bounded: s is the whole log
            if (netdev >= 0) {
                // net/core/dev.c's message is printed from a workqueue while other output runs: found
                // wherever it begins on a console line ("netifd iw ip ... unregister_netdevice: waiting for lo")
                header(new Header(Header.Type.BUG, s.substring(netdev, end)), lineNo);
                return;
            }
            if (current == null && fragment && FRAGMENT_START.matcher(s.substring(t, end)).lookingAt()) {
                current = new ReportBuilder(new Header(Header.Type.FRAGMENT, s.substring(t, end)), lineNo, callerId, stamped);
            }
            ReportBuilder to = builderFor(callerId);
            if (to == null && callerId != null && callerId.startsWith("C")) {
                to = nmiSender(); // another CPU's backtrace, asked for by the report being read
            }
            if (to != null) {
                to.line(s.substring(p, end), stamped);
            }
        }

        /** {@return the open report this caller's lines belong to, or null}: without caller ids, the one being read. */
        private ReportBuilder builderFor(String id) {
            if (current == null || id == null || current.callerId == null || id.equals(current.callerId)) {
                return current;
            }
            return open.get(id);
        }

        /** {@return the open report that sent an NMI to the other CPUs for their backtraces, or null} */
        private ReportBuilder nmiSender() {
            if (current != null && current.sentNmi()) {
                return current;
            }
            for (ReportBuilder b : open.values()) {
                if (b.sentNmi()) {
                    return b;
                }
            }
            return null;
        }

        private void header(Header h, int lineNo) {
            ReportBuilder b = builderFor(callerId);
            if (b != null) {
                if (h.type() == Header.Type.PANIC && b.takesPanic(h.text())) {
                    b.panic(h.text());
                    return;
                }
                if (b.absorbs(h)) {
                    b.absorb(h);
                    return;
                }
                close(b);
            }
            if (current != null) {
                if (callerId != null && current.callerId != null) {
                    open.put(current.callerId, current); // another task's or CPU's report goes on around this one
                } else {
                    close(current);
                }
            }
            current = new ReportBuilder(h, lineNo, callerId, stamped);
        }

        private void close(ReportBuilder b) {
            done.add(b.build());
            if (b == current) {
                current = null;
            } else {
                open.values().remove(b);
            }
        }

        void abandonLine() {
            // the builder keeps what it had; nothing to undo
        }

        List<OopsReport> finish() {
            if (current != null) {
                close(current);
            }
            for (ReportBuilder b : List.copyOf(open.values())) {
                close(b);
            }
            done.sort(java.util.Comparator.comparingInt(OopsReport::line)); // reports of several callers end out of order
            return done;
        }

        /**
         * Skips what loggers put before the kernel's text: "<4>", "[  3.073018]", "[ T123]"/"[  C1]"
         * (remembered as the caller id), dmesg -T's "[Mon Jan  1 00:00:00 2024]", a syslog or
         * journal "MMM dd hh:mm:ss host kernel: ", dmesg -x's "kern  :warn  : ". One blank after a
         * bracketed prefix is the separator; further indentation belongs to the kernel's text.
         */
        private int stripPrefixes(String s, int p, int end) {
            callerId = null;
            stamped = false;
            for (int round = 0; round < 6 && p < end; round++) {
                char c = s.charAt(p);
                if (c == '<') {
                    int q = p + 1;
                    while (q < end && q - p <= 3 && isDigit(s.charAt(q))) {
                        q++;
                    }
                    if (q > p + 1 && q < end && s.charAt(q) == '>') {
                        p = q + 1;
                        continue;
                    }
                    return p;
                }
                if (c == '[') {
                    int q = bracketEnd(s, p, end);
                    if (q < 0) {
                        return p;
                    }
                    p = q + 1;
                    if (p < end && s.charAt(p) == ' ') {
                        p++;
                    }
                    continue;
                }
                if (c == '*' && s.startsWith("** ", p)) { // "** 3 printk messages dropped ** [ts] BUG: ..."
                    int q = s.indexOf(" printk messages dropped ** ", p, end);
                    if (q > 0) {
                        p = q + " printk messages dropped ** ".length();
                        continue;
                    }
                    return p;
                }
                if (c == '>' && p + 1 < end && (s.charAt(p + 1) == ' ' || s.charAt(p + 1) == '>')) {
                    p += s.charAt(p + 1) == ' ' ? 2 : 1; // e-mail quoting: "> ", ">> "
                    continue;
                }
                if (round == 0 && (s.startsWith(" kernel:", p) || s.startsWith("kernel:", p))) {
                    p = s.indexOf(':', p) + 1; // syslogd's wall message: " kernel:[ 1016.84] BUG: ..."
                    continue;
                }
                if (round == 0 && c != ' ' && c != '\t') {
                    int k = syslogEnd(s, p, end);
                    if (k > 0) {
                        p = k;
                        continue;
                    }
                    k = kmsgEnd(s, p, end);
                    if (k > 0) {
                        p = k;
                        continue;
                    }
                    if (isDigit(c)) { // a timestamp whose '[' a copy lost: "407819.286867] BUG: ..."
                        int q = p;
                        while (q < end && isDigit(s.charAt(q))) {
                            q++;
                        }
                        int r = q + 1;
                        while (q < end && s.charAt(q) == '.' && r < end && isDigit(s.charAt(r))) {
                            r++;
                        }
                        if (q < end && s.charAt(q) == '.' && r > q + 1 && r + 1 < end && s.charAt(r) == ']' && s.charAt(r + 1) == ' ') {
                            stamped = true;
                            p = r + 2;
                            continue;
                        }
                    }
                    // a shell prompt or other output glued before the kernel's timestamp: "/ # [90216.14] ..."
                    for (int i = p + 1; i < Math.min(end, p + 24); i++) {
                        if (s.charAt(i) == '[' && i + 1 < end && (s.charAt(i + 1) == ' ' || isDigit(s.charAt(i + 1)))) {
                            int q = bracketEnd(s, i, end);
                            if (q > 0) {
                                p = i;
                                break;
                            }
                        }
                    }
                    if (p < end && s.charAt(p) == '[') {
                        continue;
                    }
                }
                return p;
            }
            return p;
        }

        /**
         * After a /dev/kmsg record's prefix ("6,16628,40311381019,-,caller=T12;", Documentation/ABI/testing/dev-kmsg),
         * alone or after a syslog date and host, where the text starts; else -1. Its caller field is the caller id.
         */
        private int kmsgEnd(String s, int p, int end) {
            int semi = s.indexOf(';', p, Math.min(end, p + 121)); // bounded: s is the whole log
            if (semi < 0) {
                return -1;
            }
            int start = semi;
            while (start > p && s.charAt(start - 1) != ' ') {
                start--;
            }
            int q = start;
            for (int field = 0; field < 3; field++) { // level, sequence, microseconds
                int d = q;
                while (q < semi && isDigit(s.charAt(q))) {
                    q++;
                }
                if (q == d || q >= semi || s.charAt(q) != ',') {
                    return -1;
                }
                q++;
            }
            int flags = q;
            while (q < semi && (s.charAt(q) == '-' || s.charAt(q) == 'c' || s.charAt(q) == '+')) {
                q++;
            }
            if (q == flags || q < semi && s.charAt(q) != ',') {
                return -1;
            }
            int caller = s.indexOf("caller=", q, semi);
            if (caller > 0 && caller < semi) {
                int e = caller + 7;
                while (e < semi && s.charAt(e) != ',') {
                    e++;
                }
                callerId = s.substring(caller + 7, e);
            }
            return semi + 1;
        }

        /** The closing bracket of a timestamp, caller id or dmesg -T date at p, or -1. */
        private int bracketEnd(String s, int p, int end) {
            int q = p + 1;
            while (q < end && s.charAt(q) == ' ') {
                q++;
            }
            int d = q;
            while (d < end && isDigit(s.charAt(d))) {
                d++;
            }
            if (d > q && d < end && s.charAt(d) == '.') {
                int e = d + 1;
                while (e < end && isDigit(s.charAt(e))) {
                    e++;
                }
                if (e < end && s.charAt(e) == ']') {
                    stamped = true;
                    return e;
                }
                return -1;
            }
            if (q < end && (s.charAt(q) == 'T' || s.charAt(q) == 'C')) {
                int e = q + 1;
                while (e < end && isDigit(s.charAt(e))) {
                    e++;
                }
                if (e > q + 1 && e < end && s.charAt(e) == ']') {
                    callerId = s.substring(q, e);
                    return e;
                }
            }
            // a vendor's context tag glued to the text: "[pid:0,cpu0,swapper/0]BUG: ..." (no blank inside, none after)
            if (q == p + 1 && q < end && s.charAt(q) != '<') {
                int e = q;
                while (e < end && e - p <= 48 && s.charAt(e) != ']' && s.charAt(e) != ' ') {
                    e++;
                }
                if (e < end && e > q && s.charAt(e) == ']' && e + 1 < end && s.charAt(e + 1) != ' ' && s.charAt(e + 1) != ':'
                        && s.indexOf(':', q, e) > 0) {
                    return e;
                }
            }
            // dmesg -T: [Mon Jan  1 00:00:00 2024]
            if (q == p + 1 && end - p >= 26 && Character.isUpperCase(s.charAt(q)) && s.charAt(q + 3) == ' ') {
                int e = s.indexOf(']', q, Math.min(end, p + 33));
                if (e > 0 && s.charAt(e - 5) == ' ' && s.indexOf(':', q, e) > 0) {
                    return e;
                }
            }
            return -1;
        }

        /** After "MMM dd hh:mm:ss host kernel: " (or an ISO date), or dmesg -x's "kern  :warn  : ": where the text starts, else -1. */
        private static int syslogEnd(String s, int p, int end) {
            if (s.startsWith("kern ", p) || s.startsWith("kern:", p)) {
                int a = s.indexOf(':', p, end);
                int b = a < 0 ? -1 : s.indexOf(": ", a + 1, end);
                if (b > 0 && b < end && b - p < 20) {
                    return b + 2;
                }
            }
            int limit = Math.min(end, p + 160);
            boolean time = false;
            for (int i = p; i + 8 < limit; i++) {
                char c = s.charAt(i);
                if (c == ':' && i > p && isDigit(s.charAt(i - 1)) && isDigit(s.charAt(i + 1))) {
                    time = true;
                } else if (c == 'k' && time && s.charAt(i - 1) == ' ' && s.startsWith("kernel:", i)) {
                    int k = i + 7;
                    if (k < end && s.charAt(k) == ' ') {
                        k++;
                    }
                    return k;
                } else if (c == '[' && i > p + 8 && !time) {
                    return -1;
                }
            }
            return -1;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }
}
