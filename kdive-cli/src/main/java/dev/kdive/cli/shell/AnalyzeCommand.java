package dev.kdive.cli.shell;

import dev.kdive.finding.Evidence;
import dev.kdive.program.Program;
import dev.kdive.triage.Analysis;
import dev.kdive.triage.Context;
import dev.kdive.triage.NextStep;
import dev.kdive.triage.Ranked;
import dev.kdive.triage.Triage;
import dev.kdive.triage.Verdict;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** {@code analyze}: the verdict on the crash in this dump, the findings that prove it, and what to do next. */
public final class AnalyzeCommand implements ShellCommand {
    @Override
    public String name() {
        return "analyze";
    }

    @Override
    public String synopsis() {
        return "analyze                  the verdict: what crashed, why, the culprit; ranked findings with evidence; next steps";
    }

    @Override
    public String example() {
        return "analyze                  the verdict on this dump, then the findings that prove it";
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("analyze: takes no arguments");
        }
        return new Report(Triage.ofDump(p.dump().path().toString(), p));
    }

    /** An analysis rendered: the verdict lines first, then findings, context, next steps and limits. */
    public record Report(Analysis analysis) implements Output {
        @Override
        public void text(PrintWriter out) {
            Verdict v = analysis.verdict();
            out.printf("VERDICT: %s (confidence %s, from %s)%n", v.crashClass().words(), v.confidence().name().toLowerCase(Locale.ROOT),
                    origin(v.origin()));
            out.println("  crashed:  " + v.what());
            out.println("  why:      " + v.why());
            if (v.culprit() != null) {
                out.println("  culprit:  " + v.culprit());
            }
            if (v.innocent() != null) {
                out.println("  innocent: " + v.innocent());
            }
            if (!analysis.findings().isEmpty()) {
                out.println();
                out.println("FINDINGS");
                for (Ranked r : analysis.findings()) {
                    out.printf("  %d. [%s] %s: %s%n", r.rank(), origin(r.origin()), r.finding().kind(), r.finding().summary());
                    for (Evidence e : r.finding().evidence()) {
                        out.println("       " + e.text().replace("\n", "\n       "));
                    }
                }
            }
            if (!analysis.stack().isEmpty()) {
                out.println();
                out.println("STACK");
                for (int i = 0; i < analysis.stack().size(); i++) {
                    dev.kdive.triage.StackFrame f = analysis.stack().get(i);
                    out.printf("  #%-2d %s%s%s%n", i, f.symbol(), f.source() != null ? "  " + f.source() : "",
                            f.exception() ? "  (exception)" : "");
                }
            }
            Context c = analysis.context();
            out.println();
            out.println("CONTEXT");
            if (c.release() != null) {
                out.println("  release:  " + c.release());
            }
            if (c.hardware() != null) {
                out.println("  hardware: " + c.hardware());
            }
            if (c.taint() != null) {
                out.println("  tainted:  " + c.taint() + " (" + String.join("; ", c.taintMeaning()) + ")");
            }
            if (!c.modulesOnStack().isEmpty()) {
                out.println("  modules on the crashing stack: " + String.join(", ", c.modulesOnStack()));
            }
            for (Context.BlockedTask t : c.blockedTasks()) {
                out.printf("  blocked (D state): pid %d (%s)%s%n", t.pid(), t.comm(), t.waitsIn() != null ? " waits in " + t.waitsIn() : "");
                t.stack().stream().limit(8).forEach(f -> out.println("      " + f));
            }
            for (Context.LockedCpu l : c.lockedCpus()) {
                out.println("  locked up: " + lockedCpu(l));
            }
            if (c.memory() != null) {
                out.println("  memory:   " + memory(c.memory()));
                c.memory().pressure().forEach(p -> out.println("  memory pressure: " + p));
            }
            for (dev.kdive.triage.PlatformHint h : c.platform()) {
                out.println("  platform: " + h.line());
                out.println("      " + h.kind().words() + ": " + h.meaning());
            }
            if (!c.lastLines().isEmpty()) {
                out.println("  the log before the report:");
                c.lastLines().forEach(l -> out.println("    " + l));
            }
            if (!analysis.nextSteps().isEmpty()) {
                out.println();
                out.println("NEXT STEPS");
                for (NextStep s : analysis.nextSteps()) {
                    out.println("  - " + s.action());
                    out.println("      " + s.reason());
                }
            }
            if (!analysis.limits().isEmpty()) {
                out.println();
                out.println("LIMITS");
                analysis.limits().forEach(f -> out.println("  - " + f.summary()));
            }
        }

        @Override
        public Object json() {
            return analysis;
        }

        private static String origin(dev.kdive.triage.Origin o) {
            return switch (o) {
                case DUMP -> "the dump";
                case LOG -> "the log";
                case BOTH -> "the dump and its log";
            };
        }
    }

    /** {@return "CPU 1 (soft lockup) stuck for 22 s, running lab-trigger:101, spinning in foo (log line 812)"} */
    static String lockedCpu(Context.LockedCpu l) {
        return "CPU " + l.cpu() + " (" + l.kind() + ")" + (l.seconds() != null ? " stuck for " + l.seconds() + " s" : "")
                + (l.task() != null ? ", running " + l.task() : "") + (l.spinning() != null ? ", spinning in " + l.spinning() : "")
                + " (log line " + l.line() + ")";
    }

    /** {@return "457.2 MB total, 429 MB free, slab 15.5 MB, page cache 3 MB; no swap; committed 128 KB (limit 228.6 MB)"} */
    static String memory(Context.Memory m) {
        return bytes(m.total()) + " total, " + bytes(m.free()) + " free, slab " + bytes(m.slab()) + ", page cache " + bytes(m.cached())
                + "; " + (m.swapTotal() == 0 ? "no swap" : "swap " + bytes(m.swapUsed()) + " used of " + bytes(m.swapTotal()))
                + "; committed " + bytes(m.committed()) + " (limit " + bytes(m.commitLimit()) + ")";
    }

    private static String bytes(long b) {
        return dev.kdive.kernel.MemoryInfo.size(b / dev.kdive.dump.PhysicalMemory.PAGE_SIZE);
    }
}
