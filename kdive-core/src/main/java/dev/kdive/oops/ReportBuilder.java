package dev.kdive.oops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One report being read, line by line. The first value of each field wins: later lines of the
 * same report repeat them (the register dump printed again after "end trace"), belong to other
 * CPUs ("NMI backtrace for cpu 1") or to the panic that followed.
 */
final class ReportBuilder {
    private enum State { BODY, TRACE, STACK_DUMP, OTHER_CPU, ENDED, PANIC_TAIL }

    private static final Pattern CPU_LINE = Pattern.compile(
            "CPU: (\\d+) (?:UID: \\d+ )?PID: (\\d+) Comm: (.+?) (Not tainted|Tainted: (.*?))\\s+(\\d\\S*)(?:\\s+(.*))?");
    private static final Pattern PID_LINE = Pattern.compile(
            "Pid: (\\d+), comm: (.+?) (Not tainted|Tainted: (.*?))\\s+(\\d\\S*)(?:\\s+(.*))?");
    private static final Pattern TAINT_LINE = Pattern.compile("(?:Not tainted|Tainted: (.*?))(?:\\s+(\\d\\S*)(?:\\s+(.*))?)?");
    private static final Pattern DIE = Pattern.compile("(?:: ([0-9a-f]+))? \\[#(\\d+)\\](.*)");
    private static final Pattern GPF_ADDRESS = Pattern.compile("(?:probably|maybe) for (?:non-canonical )?address (0x[0-9a-f]+)");
    private static final Pattern HEX_ADDRESS = Pattern.compile("(?:address:?|at virtual address|at|addr)\\s+(?:0x)?([0-9a-f]{8,16})\\b");
    private static final Pattern SOFT_LOCKUP = Pattern.compile("BUG: soft lockup - CPU#(\\d+) stuck for (\\d+)s! \\[(.+):(\\d+)\\]");
    private static final Pattern HARD_LOCKUP = Pattern.compile("Watchdog detected hard LOCKUP on cpu (\\d+)");
    private static final Pattern HUNG = Pattern.compile("INFO: task (.+):(\\d+) blocked for more than (\\d+) seconds");
    private static final Pattern WARNING = Pattern.compile("WARNING: (?:CPU: (\\d+) PID: (\\d+) )?at (\\S+) (\\S+).*");
    private static final Pattern WARNING_NEW = Pattern.compile("WARNING: (\\S+:\\d+) at (\\S+), CPU#(\\d+): (.+)/(\\d+).*");
    private static final Pattern SANITIZER = Pattern.compile("BUG: K[A-Z]+: (.+?) (?:in|on) (\\S+).*");
    private static final Pattern UBSAN = Pattern.compile("UBSAN: (.+?) in (\\S+).*");
    private static final Pattern TASK_LINE = Pattern.compile("task:(.+?)\\s+state:\\S+.*?\\bpid:\\s*(\\d+).*");
    private static final Pattern ACCESS = Pattern.compile("(?:Read|Write)(?: of size \\d+)? (?:at addr ([0-9a-f]+)|by task).*"
            + "|(?:Use-after-free|Out-of-bounds|Corrupted memory|Invalid) (?:read|write|free)? ?(?:at|of) 0x([0-9a-f]+).*");
    private static final Pattern BANK = Pattern.compile("\\bBank (\\d+)");
    private static final Pattern PF_CODE = Pattern.compile("#PF: error_code\\(0x([0-9a-f]+)\\)");
    private static final Pattern MARKER = Pattern.compile("<(/?)(#?\\w+)>\\s*");
    private static final Pattern SELECTOR_RIP = Pattern.compile("([0-9a-f]{4}):(.*)");
    private static final Pattern TRACE_LABEL = Pattern.compile("(Allocated by task \\d+|Freed by task \\d+"
            + "|(?:Second to last|Last) potentially related work creation|Uninit was (?:created|stored to memory) at"
            + "|Local variable .* created at|(?:read|write)(?: \\(marked\\))? to 0x[0-9a-f]+ of \\d+ bytes by (?:task \\d+|interrupt) on cpu \\d+"
            + "|Allocated in .*|Freed in .*|Backtrace"
            // KFENCE (mm/kfence/report.c): "kfence-#10 [0x...-0x..., size=224, cache=kmem_cache] allocated by task 15453[ on cpu 0 at 4.5s]:", "freed by task ..."
            + "|kfence-#\\d+ \\[[^\\]]*\\] allocated by task \\d+.*|freed by task \\d+.*):?");
    private static final Pattern KFENCE_TRACK = Pattern.compile("(?:kfence-#\\d+ \\[[^\\]]*\\] )?(allocated|freed) by task (\\d+).*");
    private static final Pattern ESCALATION = Pattern.compile("Fatal exception.*|softlockup.*|hung_task.*|Hard LOCKUP.*|"
            + "hardlockup.*|panic_on_warn.*|panic_on_oops.*|RCU Stall.*|Fatal machine check.*|Machine check.*|MCE.*|Oops.*|"
            + "Aiee.*|kasan.*|KASAN.*|KFENCE.*|UBSAN.*|KMSAN.*|KCSAN.*|Fatal hardware error.*|Fatal trap.*|Fatal NMI.*|"
            + "Hard lockup.*|Soft lockup.*|watchdog.*|BUG.*|.*panic_on_\\w+ set.*");

    /** Registers whose lines begin a register dump line (x86 __show_regs, arm64 __show_regs). */
    private static final Set<String> REGISTER_NAMES = Set.of("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP", "R08",
            "R09", "R10", "R11", "R12", "R13", "R14", "R15", "FS", "GS", "CS", "DS", "ES", "CR0", "CR2", "CR3", "CR4",
            "DR0", "DR1", "DR2", "DR3", "DR6", "DR7", "PKRU", "EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP",
            "sp", "pstate", "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
            "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29");

    final String callerId;
    /** Whether the header line carried a printk timestamp: then a line without one is not the kernel's. */
    private final boolean stamped;
    final int line;
    private final String header;
    private Kind kind;
    private State state = State.BODY;
    private String message;
    private String location;
    private String access;
    private Integer cpu;
    private Integer pid;
    private String comm;
    private Taint taint;
    private String release;
    private String version;
    private String hardware;
    private String workqueue;
    private Frame rip;
    private final Map<String, Long> registers = new LinkedHashMap<>();
    private boolean registersClosed;
    private Long address;
    private Long errorCode;
    private Integer die;
    private String dieFlags;
    private PageFaultError pageFault;
    private Code code;
    private final List<CallTrace> traces = new ArrayList<>();
    private List<String> modules = List.of();
    private String panic;
    private boolean wantDetail;
    /** For machine checks: whether every line since the header was part of the MCE's own output (mce:, EDAC). */
    private boolean mceBurst = true;
    /** For RCU stalls: the next trace is the grace-period kthread's, not the stalled CPU's. */
    private String nextTraceLabel;

    private String traceLabel;
    private List<Frame> traceFrames;
    private String context;
    private boolean nestedRegisters;
    /**
     * Lines seen since a trace was closed by a line nothing recognised, or -1: a trace cut by up
     * to {@link #MAX_STRAY_LINES} such lines goes on when frames follow (another writer's line on
     * the console, in a log without timestamps to tell it apart).
     */
    private int strayLines = -1;
    private CallTrace closedTrace;
    private static final int MAX_STRAY_LINES = 3;

    /** The report's lines as printed (log prefixes removed), for its title: at most {@link #MAX_TEXT}. */
    private final List<String> text = new ArrayList<>();
    private static final int MAX_TEXT = 1500; // lockdep reports run to 600 lines before their "Call Trace:"

    /**
     * After how many lines a panic ends the report's text: the panic's own output (its stack, the
     * kernel offset, a next boot on the same console) is not the report's (pkg/report's reportMinLines).
     */
    private int panicTailFrom() {
        return SyzbotTitle.reportMinLines(text.getFirst());
    }

    /** The report's lines so far that count toward {@link #panicTailFrom}: unreliable frames do not. */
    private int counted;

    private void text(String l) {
        if (text.size() < MAX_TEXT) {
            text.add(l);
            if (!SyzbotTitle.questionable(l)) {
                counted++;
            }
        }
    }

    ReportBuilder(Header h, int line, String callerId, boolean stamped) {
        text(h.text());
        this.stamped = stamped;
        this.line = line;
        this.header = h.text();
        this.callerId = callerId;
        start(h);
    }

    private void start(Header h) {
        String t = h.text();
        Matcher m;
        switch (h.type()) {
            case GPF -> {
                kind = Kind.GENERAL_PROTECTION_FAULT;
                message = "general protection fault";
                if ((m = GPF_ADDRESS.matcher(t)).find()) {
                    address = Frame.parseHex(m.group(1).substring(2));
                }
                die(t);
            }
            case PAGE_FAULT, UNABLE_TO_HANDLE -> {
                kind = Kind.PAGE_FAULT;
                message = t.contains("NULL pointer") ? "kernel NULL pointer dereference"
                        : t.contains("paging request") ? "kernel paging request"
                        : t.startsWith("Unable to handle kernel ") ? t.substring(24).replaceFirst(" at virtual address.*", "")
                        : "page fault";
                if ((m = HEX_ADDRESS.matcher(t)).find()) {
                    address = Frame.parseHex(m.group(1));
                } else if (t.contains("(null)")) {
                    address = 0L;
                }
            }
            case KASAN, KFENCE, KMSAN, KCSAN -> {
                kind = switch (h.type()) {
                    case KASAN -> Kind.KASAN;
                    case KFENCE -> Kind.KFENCE;
                    case KMSAN -> Kind.KMSAN;
                    default -> Kind.KCSAN;
                };
                message = (m = SANITIZER.matcher(t)).matches() ? m.group(1) : t.replaceFirst("BUG: K[A-Z]+: ", "");
                wantDetail = true;
            }
            case SOFT_LOCKUP -> {
                kind = Kind.SOFT_LOCKUP;
                message = t.replaceFirst("^BUG: ", "").replaceFirst(" \\[.*", "");
                if ((m = SOFT_LOCKUP.matcher(t)).find()) {
                    cpu = Integer.parseInt(m.group(1));
                    comm = m.group(3);
                    pid = Integer.parseInt(m.group(4));
                }
            }
            case HARD_LOCKUP -> {
                kind = Kind.HARD_LOCKUP;
                message = t;
                if ((m = HARD_LOCKUP.matcher(t)).find()) {
                    cpu = Integer.parseInt(m.group(1));
                }
            }
            case HUNG_TASK -> {
                kind = Kind.HUNG_TASK;
                if ((m = HUNG.matcher(t)).find()) {
                    comm = m.group(1);
                    pid = Integer.parseInt(m.group(2));
                    message = "blocked for more than " + m.group(3) + " seconds";
                }
            }
            case RCU_STALL -> {
                kind = Kind.RCU_STALL;
                message = t.replaceFirst("^INFO: ", "");
            }
            case LIST -> {
                kind = Kind.LIST_CORRUPTION;
                message = t.replaceFirst("[.,].*", "");
                access = t;
            }
            case UBSAN -> {
                kind = Kind.UBSAN;
                if ((m = UBSAN.matcher(t)).matches()) {
                    message = m.group(1);
                    location = m.group(2);
                } else {
                    message = t.substring(7);
                }
                wantDetail = true;
            }
            case PANIC -> {
                kind = Kind.PANIC;
                message = panicMessage(t);
                panic = message;
            }
            case MCE -> {
                kind = Kind.MACHINE_CHECK;
                mce(t);
            }
            case KERNEL_BUG_AT -> {
                kind = Kind.KERNEL_BUG;
                message = "kernel BUG";
                location = bugLocation(t);
            }
            case WARNING -> {
                kind = Kind.WARNING;
                if ((m = WARNING.matcher(t)).matches()) {
                    if (m.group(1) != null) {
                        cpu = Integer.parseInt(m.group(1));
                        pid = Integer.parseInt(m.group(2));
                    }
                    location = m.group(3);
                } else if ((m = WARNING_NEW.matcher(t)).matches()) {
                    location = m.group(1);
                    cpu = Integer.parseInt(m.group(3));
                    comm = m.group(4);
                    pid = Integer.parseInt(m.group(5));
                } else {
                    message = t.length() > 9 ? t.substring(9).replaceFirst("[!.]$", "") : null; // "WARNING:" cut after its word
                }
            }
            case LOCKDEP -> {
                kind = Kind.LOCKDEP;
                message = t.replaceFirst("^(WARNING|INFO): ", "").replaceFirst("[!.]$", "");
            }
            case BUG -> {
                kind = Kind.BUG;
                message = t.startsWith("BUG: ") ? t.substring(5) : t; // "unregister_netdevice: waiting for ..." has no "BUG: "
            }
            case INTERNAL_ERROR -> {
                kind = Kind.OOPS;
                message = t.replaceFirst(": [0-9a-f]+ \\[#.*", "").replaceFirst(": [0-9a-f]+$", "");
                die(t);
            }
            case OOPS_CODE -> {
                kind = Kind.OOPS;
                message = "Oops";
                die(t);
            }
            case OOPS -> {
                kind = Kind.OOPS;
                message = t.replaceFirst(",? sig: \\d+.*", "").replaceFirst(" \\[#.*", "");
                die(t);
            }
            case FRAGMENT -> {
                kind = Kind.FRAGMENT;
                message = "";
            }
            case TRAP -> {
                kind = t.startsWith("general protection fault") ? Kind.GENERAL_PROTECTION_FAULT : Kind.TRAP;
                // x86's double-fault handler says "PANIC: double fault, error_code: 0x0" before the oops
                message = t.startsWith("PANIC: double fault") ? "double fault" : t.substring(0, t.indexOf(':'));
                die(t);
            }
        }
    }

    /** Reads "...: 0002 [#1] PREEMPT SMP NOPTI": error code, die counter, build flags. */
    private void die(String t) {
        int b = t.indexOf(" [#");
        if (b < 0 || die != null) {
            return;
        }
        int colon = t.lastIndexOf(": ", b);
        Matcher m = DIE.matcher(colon >= 0 ? t.substring(colon) : t.substring(b));
        if (m.find()) {
            if (m.group(1) != null && errorCode == null) {
                errorCode = Frame.parseHex(m.group(1));
            }
            die = Integer.parseInt(m.group(2));
            dieFlags = m.group(3).strip();
        }
    }

    private static String bugLocation(String t) {
        String l = t.substring("kernel BUG at ".length()).strip();
        return l.endsWith("!") ? l.substring(0, l.length() - 1) : l;
    }

    private static String panicMessage(String t) {
        int c = t.indexOf("syncing");
        String m = c < 0 ? t : t.substring(c + 7);
        return m.startsWith(":") ? m.substring(1).strip() : m.strip();
    }

    private void mce(String t) {
        Matcher m = BANK.matcher(t);
        if (message == null || !message.startsWith("bank")) {
            if (m.find()) {
                message = "bank " + m.group(1);
            } else if (message == null) {
                message = t.contains("events logged") ? "events logged" : null;
            }
        }
    }

    /** Whether a header line continues this report rather than starting another. */
    boolean absorbs(Header h) {
        if (state == State.PANIC_TAIL || state == State.ENDED || state == State.OTHER_CPU) {
            return h.type() == Header.Type.MCE && kind == Kind.MACHINE_CHECK && mceBurst && state != State.PANIC_TAIL;
        }
        boolean early = traces.isEmpty() && traceFrames == null;
        if (symbolizedHeader(h.text())) {
            return true;
        }
        return switch (h.type()) {
            case OOPS_CODE, INTERNAL_ERROR -> die == null && early;
            case OOPS -> die == null && early && kind == Kind.PAGE_FAULT; // powerpc: "Oops: Kernel access of bad area, sig: 11 [#1]"
            case TRAP -> die == null && early && (kind != Kind.GENERAL_PROTECTION_FAULT && kind != Kind.TRAP
                    || kind == Kind.TRAP && h.text().startsWith(message + ":")); // "PANIC: double fault", then "double fault: 0000 [#1]"
            case KERNEL_BUG_AT -> early && location == null && (kind == Kind.LIST_CORRUPTION || kind == Kind.BUG || kind == Kind.UBSAN);
            case LIST -> early && (kind == Kind.WARNING || kind == Kind.KERNEL_BUG) && access == null;
            case MCE -> kind == Kind.MACHINE_CHECK && mceBurst;
            case GPF -> kind == Kind.KASAN && die == null && early; // KASAN's GPF on a wild access
            default -> false;
        };
    }

    /**
     * Whether a header repeats the previous one as a symbolizer writes inlined frames
     * (syzbot's reports): "BUG: KASAN: ... in hci_conn_drop include/...:1523 [inline]", then the
     * same words "in __sco_sock_close+0x2bc/0x690 net/bluetooth/sco.c:444". One report.
     */
    private boolean symbolizedHeader(String t) {
        String last = text.getLast();
        if (!last.endsWith("[inline]")) {
            return false;
        }
        // a mailer wraps the long header: "BUG: KASAN: ... in clear_bit", then "include/...:56 [inline]"
        String head = text.size() >= 2 && last.indexOf(' ') == last.lastIndexOf(' ') ? text.get(text.size() - 2) : last;
        int in = head.indexOf(" in ");
        int at = head.indexOf(" at ");
        int cut = in < 0 ? at : at < 0 ? in : Math.min(in, at);
        return cut > 0 && t.length() > cut && t.startsWith(head.substring(0, cut + 4));
    }

    void absorb(Header h) {
        String t = h.text();
        boolean inlined = symbolizedHeader(t);
        text(t);
        if (inlined) {
            return; // the inlined frames' header lines: the report's header stays the first
        }
        switch (h.type()) {
            case OOPS_CODE, INTERNAL_ERROR, TRAP, GPF, OOPS -> {
                die(t);
                if (h.type() == Header.Type.INTERNAL_ERROR && kind == Kind.OOPS) {
                    message = t.replaceFirst(": [0-9a-f]+ \\[#.*", "");
                }
            }
            case KERNEL_BUG_AT -> location = bugLocation(t);
            case LIST -> {
                kind = Kind.LIST_CORRUPTION;
                message = t.replaceFirst("[.,].*", "");
                access = t;
            }
            case MCE -> mce(t);
            default -> {
            }
        }
    }

    /** Whether a "Kernel panic - not syncing" line is this report's end (oops=panic, softlockup_panic...) rather than a crash of its own. */
    boolean takesPanic(String text) {
        if (panic != null || state == State.PANIC_TAIL) {
            return false;
        }
        String m = panicMessage(text);
        return ESCALATION.matcher(m).matches() || m.startsWith("Attempted to kill") && die != null;
    }

    void panic(String text) {
        text(text);
        closeTrace();
        panic = panicMessage(text);
        // A report cut before its registers and trace (softlockup_panic prints the panic right after
        // the header) learns them from what the panic prints of the same CPU; else the rest is the panic's.
        state = rip == null && traces.isEmpty() ? State.BODY : State.PANIC_TAIL;
        if (state == State.BODY) {
            registersClosed = false;
        }
    }

    /**
     * One line of the report (log prefixes removed, indentation kept). {@code lineStamped}: the
     * line carried a printk timestamp. Consoles interleave other writers' lines (getty, systemd,
     * daemons writing to /dev/console) with the kernel's; in a log whose kernel lines are
     * timestamped, a line without a timestamp cannot end a trace.
     */
    /** Whether this report asked the other CPUs for their backtraces ("Sending NMI from CPU 0 to CPUs 1:"). */
    boolean sentNmi() {
        return sentNmi;
    }

    private boolean sentNmi;

    void line(String raw, boolean lineStamped) {
        if (!sentNmi && raw.contains("Sending NMI from CPU")) {
            sentNmi = true;
        }
        // another writer's line on a timestamped console is not the report's; nor is what follows the
        // kernel's "---[ end trace ... ]---" (a console's next boot, in a log of several)
        if (lineStamped == stamped && state != State.ENDED && !(state == State.PANIC_TAIL && counted > panicTailFrom())) {
            text(raw);
        }
        if (state == State.PANIC_TAIL) {
            if (raw.contains("---[ end Kernel panic")) {
                state = State.ENDED;
            }
            return;
        }
        String t = raw.strip();
        if (kind == Kind.MACHINE_CHECK) {
            boolean mce = t.contains("Hardware Error") || t.contains("EDAC") || t.startsWith("mce");
            mceBurst &= mce;
            if (mce) {
                mce(t);
            }
            return;
        }
        if (state == State.TRACE) {
            if (traceLine(t) || stamped && !lineStamped) {
                return;
            }
            closeTrace();
            strayLines = 0;
        } else if (strayLines >= 0 && state == State.BODY && resumeTrace(t)) {
            return;
        }
        if (state == State.STACK_DUMP) {
            if (!t.isEmpty() && t.chars().allMatch(c -> c == ' ' || c == '<' || c == '>' || c == '/' || Character.isLetterOrDigit(c))
                    && !t.startsWith("Call Trace") && !t.startsWith("Code")) {
                return;
            }
            state = State.BODY;
        }
        if (t.isEmpty()) {
            return;
        }
        if (state == State.ENDED || state == State.OTHER_CPU) {
            return;
        }
        boolean known = body(t);
        if (known || strayLines < 0 || ++strayLines > MAX_STRAY_LINES) {
            strayLines = -1;
        }
    }

    /** Reopens the trace closed a few stray lines ago when {@code t} is one of its frames. */
    private boolean resumeTrace(String t) {
        if (closedTrace == null) {
            return false;
        }
        if (!traces.isEmpty() && traces.getLast() == closedTrace) {
            traces.removeLast();
        }
        traceLabel = closedTrace.label();
        traceFrames = new ArrayList<>(closedTrace.frames());
        state = State.TRACE;
        if (traceLine(t)) {
            strayLines = -1;
            return true;
        }
        closeTrace();
        return false;
    }

    /** {@return whether the line was one the report reads (false: nothing recognised it)} */
    private boolean body(String t) {
        Matcher m;
        char c0 = t.charAt(0);
        if (t.startsWith("Call Trace") || t.startsWith("Call trace:")) {
            openTrace(nextTraceLabel != null ? nextTraceLabel : "Call Trace");
            nextTraceLabel = null;
            return true;
        }
        if (t.startsWith("---[ end trace") || t.startsWith("---[ end Kernel panic")) {
            state = State.ENDED;
            registersClosed = true;
            return true;
        }
        if (t.startsWith("NMI backtrace for cpu")) {
            if (!traces.isEmpty()) {
                state = State.OTHER_CPU;
            }
            return true;
        }
        if (t.startsWith("RIP: ") || t.startsWith("EIP: ") || t.startsWith("pc : ")) {
            if (rip == null && !registersClosed) {
                rip(t);
            }
            return true;
        }
        if (t.startsWith("IP: ") || t.startsWith("PC is at ") || t.startsWith("NIP [") || t.startsWith("EIP is at ")) {
            // x86 before 4.x "IP: [<ffffffff8110ab95>] func+0x15/0x80", arm "PC is at func+0x18/0x64", powerpc "NIP [d107c0c8] func+0x8/0x10"
            if (rip == null && !registersClosed) {
                String rest = t.startsWith("NIP [") ? t.substring(t.indexOf(']') + 1) : t.substring(t.startsWith("IP:") ? 3 : t.indexOf(" at ") + 4);
                rip = Frame.parse(rest, null);
            }
            return true;
        }
        if (kind == Kind.RCU_STALL && (t.contains("grace-period kthread stack dump") || t.contains("kthread starved for"))) {
            nextTraceLabel = "RCU grace-period kthread";
            return true;
        }
        if (t.startsWith("Code: ")) {
            if (code == null) {
                code = Code.parse(t.substring(6));
            }
            return true;
        }
        if (c0 == 'C' && t.startsWith("CPU: ") && (m = CPU_LINE.matcher(t)).matches()) {
            if (cpu == null) {
                cpu = Integer.parseInt(m.group(1));
            }
            task(m, 2);
            return true;
        }
        if (c0 == 'P' && t.startsWith("Pid: ") && (m = PID_LINE.matcher(t)).matches()) {
            task(m, 1); // 2.6 kernels: "Pid: 1234, comm: foo Not tainted 2.6.32 #1"
            return true;
        }
        if ((t.startsWith("Tainted: ") || t.startsWith("Not tainted")) && (m = TAINT_LINE.matcher(t)).matches()) {
            taint(t.startsWith("Not") ? "Not tainted" : "Tainted", m.group(1), m.group(2), m.group(3));
            return true;
        }
        if (t.startsWith("Hardware name: ")) {
            if (hardware == null) {
                hardware = t.substring(15).strip();
            }
            return true;
        }
        if (t.startsWith("Workqueue: ")) {
            if (workqueue == null) {
                workqueue = t.substring(11).strip();
            }
            return true;
        }
        if (t.startsWith("Modules linked in:")) {
            if (modules.isEmpty()) {
                modules(t.substring(18));
            }
            return true;
        }
        if (t.startsWith("#PF: error_code(") && (m = PF_CODE.matcher(t)).find()) {
            if (pageFault == null) {
                pageFault = new PageFaultError(Frame.parseHex(m.group(1)));
            }
            return true;
        }
        if (t.startsWith("Stack:")) {
            state = State.STACK_DUMP;
            return true;
        }
        if (t.startsWith("task:") && (m = TASK_LINE.matcher(t)).matches()) {
            if (comm == null) {
                comm = m.group(1).strip();
            }
            if (pid == null) {
                pid = Integer.parseInt(m.group(2));
            }
            return true;
        }
        if ("AFSLUrwBkf".indexOf(c0) >= 0 && (m = TRACE_LABEL.matcher(t)).matches()) {
            String label = m.group(0).replaceFirst(":$", "");
            Matcher k = KFENCE_TRACK.matcher(label);
            // KFENCE's tracks named as KASAN names them, so one reader serves both
            openTrace(k.matches() ? (k.group(1).equals("allocated") ? "Allocated" : "Freed") + " by task " + k.group(2) : label);
            return true;
        }
        if (registerLine(t)) {
            return true;
        }
        if ((kind == Kind.KASAN || kind == Kind.KFENCE) && access == null && (m = ACCESS.matcher(t)).matches()) {
            access = t;
            if (address == null) {
                address = Frame.parseHex(m.group(1) != null ? m.group(1) : m.group(2));
            }
            if (kind == Kind.KFENCE && t.endsWith(":")) { // KFENCE prints the access's stack right under it, with no "Call Trace:"
                openTrace("Call Trace");
            }
            return true;
        }
        if (wantDetail && access == null && kind == Kind.UBSAN && !t.startsWith("=") && !t.startsWith("CPU")) {
            access = t;
            return true;
        }
        return false;
    }

    /** PID, comm, taint, release and version from groups {@code g}, g+1, ... of a task header line. */
    private void task(Matcher m, int g) {
        if (pid == null) {
            pid = Integer.parseInt(m.group(g));
        }
        if (comm == null) {
            comm = m.group(g + 1);
        }
        taint(m.group(g + 2), m.group(g + 3), m.group(g + 4), m.group(g + 5));
    }

    private void taint(String clean, String flags, String rel, String ver) {
        if (taint == null) {
            taint = clean.startsWith("Not") || flags == null ? Taint.none() : Taint.parse(flags);
        }
        if (release == null && rel != null) {
            release = rel;
            version = ver == null ? null : ver.strip();
        }
    }

    private void modules(String list) {
        String l = list.replaceFirst("\\[last unloaded:.*", "").strip();
        modules = l.isEmpty() ? List.of() : List.of(l.split("\\s+"));
    }

    private void rip(String t) {
        String rest = t.substring(t.indexOf(':') + 1).strip();
        if (t.startsWith("pc ")) {
            rip = Frame.parse(rest, null);
            return;
        }
        Matcher m = SELECTOR_RIP.matcher(rest);
        if (m.matches()) {
            long cs = Frame.parseHex(m.group(1));
            registers.putIfAbsent("CS", cs);
            rest = m.group(2).strip();
        }
        if (rest.startsWith("0x")) {
            long a = Frame.parseHex(rest.substring(2).split("\\s")[0]);
            rip = new Frame(null, 0, 0, null, a, true, null, false);
            registers.putIfAbsent("RIP", a);
            return;
        }
        rip = Frame.parse(rest.replaceFirst("\\s+EFLAGS:.*", ""), null);
        if (rip != null && rip.address() != 0) {
            registers.putIfAbsent("RIP", rip.address());
        }
    }

    /** Reads "RAX: ... RBX: ..." style lines; false when the line is not one. */
    private boolean registerLine(String t) {
        int colon = t.indexOf(':');
        if (colon <= 0 || colon > 7) {
            return false;
        }
        String first = t.substring(0, colon).strip();
        if (!REGISTER_NAMES.contains(first)) {
            return false;
        }
        if (registersClosed) {
            return true;
        }
        int i = 0;
        int n = t.length();
        while (i < n) {
            while (i < n && t.charAt(i) == ' ') {
                i++;
            }
            int ns = i;
            while (i < n && (Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) == '_')) {
                i++;
            }
            if (i == ns) {
                break;
            }
            String name = t.substring(ns, i);
            while (i < n && t.charAt(i) == ' ') {
                i++;
            }
            if (i >= n || t.charAt(i) != ':') {
                break;
            }
            i++;
            while (i < n && t.charAt(i) == ' ') {
                i++;
            }
            int vs = i;
            while (i < n && Character.digit(t.charAt(i), 16) >= 0) {
                i++;
            }
            if (i == vs || i - vs > 16) {
                break;
            }
            long v = Frame.parseHex(t.substring(vs, i));
            if ((name.equals("RSP") || name.equals("ESP")) && i < n && t.charAt(i) == ':') {
                registers.putIfAbsent("SS", v);
                int ws = ++i;
                while (i < n && Character.digit(t.charAt(i), 16) >= 0) {
                    i++;
                }
                v = Frame.parseHex(t.substring(ws, i));
            }
            if (i < n && t.charAt(i) == '(') {
                int close = t.indexOf(')', i);
                i = close < 0 ? n : close + 1;
            }
            registers.putIfAbsent(name, v);
        }
        return true;
    }

    private void openTrace(String label) {
        closeTrace();
        if (!registers.isEmpty() || rip != null) {
            registersClosed = true;
        }
        state = State.TRACE;
        traceLabel = label;
        traceFrames = new ArrayList<>();
        context = null;
        nestedRegisters = false;
    }

    /** A line inside a trace: a frame, a stack marker, or an exception frame's registers. */
    private boolean traceLine(String t) {
        String rest = t;
        boolean marker = false;
        for (Matcher m = MARKER.matcher(rest); rest.startsWith("<") && m.lookingAt(); m = MARKER.matcher(rest)) {
            marker = true;
            String name = m.group(2);
            context = m.group(1).isEmpty() && !name.equals("EOI") && !name.equals("EOE") ? name : null;
            rest = rest.substring(m.end());
        }
        if (rest.isEmpty()) {
            return marker;
        }
        Frame f = Frame.parse(rest, context);
        if (f != null) {
            if (traceFrames.size() < 512) {
                traceFrames.add(f);
            }
            return true;
        }
        if (rest.endsWith("[inline]") && Frame.INLINED.matcher(rest.strip()).matches()) {
            return true; // no return address of its own: the frame it was inlined into follows
        }
        if (rest.startsWith("RIP: ") || rest.startsWith("pc : ")) {
            String r = rest.substring(rest.indexOf(':') + 1).strip();
            Matcher s = SELECTOR_RIP.matcher(r);
            boolean kernel = true;
            if (s.matches()) {
                kernel = (Frame.parseHex(s.group(1)) & 3) == 0;
                r = s.group(2).strip();
            }
            Frame at = kernel ? Frame.parse(r, context) : null;
            if (at != null && at.symbolic()) {
                traceFrames.add(new Frame(at.function(), at.offset(), at.size(), at.module(), at.address(), true, context, true));
            }
            nestedRegisters = true;
            return true;
        }
        if (nestedRegisters && (rest.startsWith("Code: ") || rest.startsWith("RSP: ") || rest.startsWith("EFLAGS")
                || registerLineName(rest))) {
            return true;
        }
        return false;
    }

    private static boolean registerLineName(String t) {
        int colon = t.indexOf(':');
        return colon > 0 && colon <= 7 && REGISTER_NAMES.contains(t.substring(0, colon).strip());
    }

    private void closeTrace() {
        if (traceFrames != null) {
            closedTrace = new CallTrace(traceLabel, traceFrames); // kept, even empty, for resumeTrace
            if (!traceFrames.isEmpty() && traces.size() < 16) {
                traces.add(closedTrace);
            }
            traceFrames = null;
            if (state == State.TRACE) {
                state = State.BODY;
            }
        }
    }

    OopsReport build() {
        closeTrace();
        if (pageFault == null && kind == Kind.PAGE_FAULT && errorCode != null) {
            pageFault = new PageFaultError(errorCode);
        }
        if (address == null && kind == Kind.PAGE_FAULT && registers.containsKey("CR2")) {
            address = registers.get("CR2");
        }
        OopsReport r = new OopsReport(kind, null, null, null, header, line, message, location, access, cpu, pid, comm, taint,
                release, version, hardware, workqueue, rip, new Registers(registers), address, errorCode, die, dieFlags,
                pageFault, code, traces, modules, panic, null);
        return r.titled(Title.of(r, text, callerId != null));
    }
}
