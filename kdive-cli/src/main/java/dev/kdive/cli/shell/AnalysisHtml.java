package dev.kdive.cli.shell;

import dev.kdive.finding.CrashReport;
import dev.kdive.finding.Evidence;
import dev.kdive.finding.Finding;
import dev.kdive.finding.SlabDamage;
import dev.kdive.triage.Analysis;
import dev.kdive.triage.Context;
import dev.kdive.triage.NextStep;
import dev.kdive.triage.PlatformHint;
import dev.kdive.triage.Ranked;
import dev.kdive.triage.StackFrame;
import dev.kdive.triage.Verdict;
import java.util.List;
import java.util.Locale;

/**
 * An analysis as one self-contained HTML page: no scripts, no external files, so it opens offline
 * and can be attached to a ticket. Every string from the dump or the log (task names, log lines,
 * paths) is escaped: they are written by whoever ran the crashed machine.
 */
public final class AnalysisHtml {
    private AnalysisHtml() {
    }

    /** {@return the page} */
    public static String render(Analysis a) {
        Verdict v = a.verdict();
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>kdive: " + esc(v.crashClass().words()) + " — "
                + esc(a.input()) + "</title>\n<style>\n" + STYLE + "</style></head>\n<body>\n" + body(a)
                + "<footer>kdive analyze</footer>\n</body></html>\n";
    }

    /** {@return the analysis as the inside of a page's body: the report alone, and the viewer's first page} */
    static String body(Analysis a) {
        StringBuilder h = new StringBuilder(16 * 1024);
        Verdict v = a.verdict();
        h.append("<header><h1 id=\"verdict\" class=\"c-").append(v.confidence().name().toLowerCase(Locale.ROOT)).append("\">")
                .append(esc(v.crashClass().words())).append("</h1>\n<p class=\"meta\">").append(esc(a.input())).append(" · from ")
                .append(esc(a.source())).append(" · confidence ").append(v.confidence().name().toLowerCase(Locale.ROOT))
                .append(" · ").append(esc(v.origin().name().toLowerCase(Locale.ROOT))).append("</p>\n<dl class=\"verdict\">");
        row(h, "crashed", v.what());
        row(h, "why", v.why());
        row(h, "culprit", v.culprit());
        row(h, "innocent", v.innocent());
        h.append("</dl></header>\n");
        findings(h, a);
        stack(h, a.stack());
        steps(h, a.nextSteps());
        context(h, a.context());
        if (!a.limits().isEmpty()) {
            h.append("<section id=\"limits\"><h2>Limits</h2><ul>");
            a.limits().forEach(f -> h.append("<li>").append(esc(f.summary())).append("</li>"));
            h.append("</ul></section>\n");
        }
        return h.toString();
    }

    private static void findings(StringBuilder h, Analysis a) {
        h.append("<section id=\"findings\"><h2>Findings</h2>\n");
        for (Ranked r : a.findings()) {
            Finding f = r.finding();
            h.append("<article class=\"finding ").append(esc(f.severity().name().toLowerCase(Locale.ROOT))).append("\"><h3>")
                    .append(r.rank()).append(". <code>").append(esc(f.kind())).append("</code> ").append(esc(f.summary()))
                    .append(" <span class=\"origin\">").append(esc(r.origin().name().toLowerCase(Locale.ROOT))).append("</span></h3>\n");
            if (f instanceof SlabDamage d && d.pointer() != null) {
                freelist(h, d, a);
            }
            if (!f.evidence().isEmpty()) {
                h.append("<table class=\"evidence\"><tr><th>evidence</th><th>address</th><th>value</th></tr>\n");
                for (Evidence e : f.evidence()) {
                    h.append("<tr><td><pre>").append(esc(e.text())).append("</pre></td><td>").append(hex(e.address())).append("</td><td>")
                            .append(hex(e.value())).append("</td></tr>\n");
                }
                h.append("</table>\n");
            }
            h.append("</article>\n");
        }
        h.append("</section>\n");
    }

    /**
     * The corrupted freelist as a picture: the list head, the object whose free pointer was
     * overwritten (where known), the bad pointer, and the address the next allocation faults on.
     */
    private static void freelist(StringBuilder h, SlabDamage d, Analysis a) {
        Long fault = a.findings().stream().map(Ranked::finding).filter(CrashReport.class::isInstance).map(CrashReport.class::cast)
                .map(CrashReport::address).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        String head = d.cpu() != null ? "CPU " + d.cpu() + " freelist" : d.slab() != null ? "slab " + Long.toHexString(d.slab()) : "freelist";
        List<String[]> boxes = new java.util.ArrayList<>();
        boxes.add(new String[] {d.cache(), head, "ok"});
        if (d.object() != null) {
            boxes.add(new String[] {"object", Long.toHexString(d.object()), "ok"});
        }
        boxes.add(new String[] {"bad pointer (" + d.damage().title() + ")", Long.toHexString(d.pointer()), "bad"});
        if (fault != null) {
            boxes.add(new String[] {"faulting read", Long.toHexString(fault), "fault"});
        }
        int w = 230;
        int gap = 40;
        h.append("<svg class=\"freelist\" role=\"img\" aria-label=\"corrupted freelist\" width=\"").append(boxes.size() * (w + gap))
                .append("\" height=\"90\" viewBox=\"0 0 ").append(boxes.size() * (w + gap)).append(" 90\">");
        for (int i = 0; i < boxes.size(); i++) {
            int x = i * (w + gap);
            String[] b = boxes.get(i);
            h.append("<rect x=\"").append(x).append("\" y=\"10\" width=\"").append(w).append("\" height=\"60\" rx=\"6\" class=\"")
                    .append(b[2]).append("\"/><text x=\"").append(x + 10).append("\" y=\"34\">").append(esc(b[0]))
                    .append("</text><text x=\"").append(x + 10).append("\" y=\"56\" class=\"mono\">").append(esc(b[1])).append("</text>");
            if (i + 1 < boxes.size()) {
                boolean broken = "bad".equals(boxes.get(i + 1)[2]) || "fault".equals(boxes.get(i + 1)[2]);
                h.append("<line x1=\"").append(x + w).append("\" y1=\"40\" x2=\"").append(x + w + gap - 4).append("\" y2=\"40\" class=\"")
                        .append(broken ? "link bad" : "link").append("\"/>");
            }
        }
        h.append("</svg>\n");
    }

    private static void stack(StringBuilder h, List<StackFrame> stack) {
        if (stack.isEmpty()) {
            return;
        }
        h.append("<section id=\"stack\"><h2>Stack</h2><table class=\"stack\"><tr><th>#</th><th>function</th><th>address</th><th>source</th></tr>\n");
        for (int i = 0; i < stack.size(); i++) {
            StackFrame f = stack.get(i);
            h.append("<tr").append(f.exception() ? " class=\"exception\"" : "").append("><td>").append(i).append("</td><td><code>")
                    .append(esc(f.symbol())).append("</code>").append(f.exception() ? " <em>exception</em>" : "").append("</td><td>")
                    .append(hex(f.ip())).append("</td><td>").append(esc(f.source() == null ? "" : f.source())).append("</td></tr>\n");
        }
        h.append("</table></section>\n");
    }

    private static void steps(StringBuilder h, List<NextStep> steps) {
        if (steps.isEmpty()) {
            return;
        }
        h.append("<section id=\"next\"><h2>Next steps</h2><ol>");
        for (NextStep s : steps) {
            h.append("<li><strong>").append(esc(s.action())).append("</strong><br>").append(esc(s.reason())).append("</li>");
        }
        h.append("</ol></section>\n");
    }

    private static void context(StringBuilder h, Context c) {
        h.append("<section id=\"context\"><h2>Context</h2><dl>");
        row(h, "release", c.release());
        row(h, "hardware", c.hardware());
        row(h, "tainted", c.taint() == null ? null : c.taint() + " (" + String.join("; ", c.taintMeaning()) + ")");
        row(h, "modules on the stack", c.modulesOnStack().isEmpty() ? null : String.join(", ", c.modulesOnStack()));
        row(h, "memory", c.memory() == null ? null : AnalyzeCommand.memory(c.memory()));
        if (c.memory() != null) {
            c.memory().pressure().forEach(p -> row(h, "memory pressure", p));
        }
        c.lockedCpus().forEach(l -> row(h, "locked up", AnalyzeCommand.lockedCpu(l)));
        h.append("</dl>\n");
        for (Context.BlockedTask t : c.blockedTasks()) {
            h.append("<p>blocked (D state): pid ").append(t.pid()).append(" (").append(esc(t.comm())).append(")")
                    .append(t.waitsIn() == null ? "" : " waits in <code>" + esc(t.waitsIn()) + "</code>").append("</p>");
        }
        for (PlatformHint p : c.platform()) {
            h.append("<p class=\"platform\"><code>").append(esc(p.line())).append("</code><br>").append(esc(p.kind().words())).append(": ")
                    .append(esc(p.meaning())).append("</p>");
        }
        if (!c.lastLines().isEmpty() || !c.report().isEmpty()) {
            h.append("<h3>Kernel log</h3><pre class=\"log\">");
            c.lastLines().forEach(l -> h.append(esc(l)).append('\n'));
            c.report().forEach(l -> h.append("<mark>").append(esc(l)).append("</mark>\n"));
            h.append("</pre>");
        }
        h.append("</section>\n");
    }

    private static void row(StringBuilder h, String name, String value) {
        if (value != null) {
            h.append("<dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd>");
        }
    }

    private static String hex(Long v) {
        return v == null ? "" : "<code>" + Hex.of(v) + "</code>";
    }

    /** {@return text safe inside HTML elements and attribute values} */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? '\uFFFD' : c);
            }
        }
        return b.toString();
    }

    static final String STYLE = """
            body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#1d1d1f;padding:0 1em}
            h1{font-size:1.7em;margin:.2em 0}h1.c-high{color:#a50e0e}h1.c-medium{color:#b15c00}h1.c-low{color:#555}
            .meta{color:#666;margin:0 0 1em}dl{display:grid;grid-template-columns:9em 1fr;gap:.3em 1em}dt{font-weight:600}dd{margin:0}
            code,pre,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}pre{margin:0;white-space:pre-wrap}
            .finding{border:1px solid #ddd;border-left:5px solid #999;border-radius:6px;padding:.5em 1em;margin:1em 0}
            .finding.corruption{border-left-color:#c62828}.finding.crash{border-left-color:#ef6c00}.finding.unreadable{border-left-color:#6d4c41}
            .origin{font-size:12px;background:#eee;border-radius:4px;padding:0 .4em;font-weight:400}
            table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.25em .5em;text-align:left;vertical-align:top}
            tr.exception{background:#fff3e0}svg.freelist text{font-size:13px}svg rect.ok{fill:#e8f5e9;stroke:#2e7d32}
            svg rect.bad{fill:#ffebee;stroke:#c62828}svg rect.fault{fill:#fff3e0;stroke:#ef6c00}
            svg line.link{stroke:#2e7d32;stroke-width:3}svg line.link.bad{stroke:#c62828;stroke-dasharray:6 4}
            pre.log{background:#fafafa;border:1px solid #eee;padding:.5em;max-height:40em;overflow:auto}mark{background:#fff8c5}
            footer{color:#999;margin-top:3em;font-size:12px}
            """;
}
