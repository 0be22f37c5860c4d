package dev.kdive.cli.shell;

import static dev.kdive.cli.shell.AnalysisHtml.esc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kdive.kernel.Backtrace;
import dev.kdive.kernel.PrintkLog;
import dev.kdive.kernel.Slub;
import dev.kdive.kernel.Task;
import dev.kdive.program.Program;
import dev.kdive.triage.Analysis;
import dev.kdive.triage.Triage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code kdive serve}: a read-only web viewer of one dump (or one log) on 127.0.0.1. Every page is
 * made from the values the shell's commands return (the same code path as {@code kdive DUMP -c}),
 * rendered as HTML with every kernel string escaped: task names, paths and log text are chosen by
 * whoever ran the crashed machine. No file is ever served; the pages allow scripts and styles
 * from the viewer itself only (Content-Security-Policy), so markup that escaped escaping still
 * could not run.
 */
public final class Viewer implements AutoCloseable {
    private final HttpServer server;
    private final String input;
    private final Program program; // null for a log
    private final Shell shell;
    private final Supplier<Analysis> analysis;
    private final String logText; // the log file's text; null for a dump
    private final Map<String, byte[]> pages = new HashMap<>(); // a dump does not change: each page is made once
    /** One page is made at a time: the program's readers and caches are not made for concurrent use. Fair: warm-up yields to requests. */
    private final java.util.concurrent.locks.ReentrantLock access = new java.util.concurrent.locks.ReentrantLock(true);

    private Viewer(HttpServer server, String input, Program program, String logText) {
        this.server = server;
        this.input = input;
        this.program = program;
        this.logText = logText;
        this.shell = program == null ? null : new Shell(program, new PrintWriter(new StringWriter()), false);
        Analysis[] once = new Analysis[1];
        this.analysis = () -> {
            if (once[0] == null) {
                once[0] = program != null ? Triage.ofDump(input, program) : Triage.ofLog(input, logText);
            }
            return once[0];
        };
    }

    /** {@return a viewer of a dump, listening on 127.0.0.1:port (0: a free port)} */
    public static Viewer ofDump(String input, Program program, int port) throws IOException {
        return start(input, program, null, port);
    }

    /** {@return a viewer of a kernel log's text} */
    public static Viewer ofLog(String input, String text, int port) throws IOException {
        return start(input, null, text, port);
    }

    private static Viewer start(String input, Program program, String log, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        Viewer v = new Viewer(server, input, program, log);
        server.createContext("/", v::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "kdive viewer");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        // The pages most looked at are made now, while the user opens the browser; a request waits
        // for one page of this at most (the lock is fair).
        Thread warm = new Thread(v::warmUp, "kdive viewer warm-up");
        warm.setDaemon(true);
        warm.start();
        return v;
    }

    /**
     * Makes the pages most looked at, on the server's own thread, while the user opens the browser:
     * the analysis, tasks, slabs, log, the panic task, and the disassembly of each of its frames
     * (the path the viewer's first reader takes).
     */
    private void warmUp() {
        for (String path : List.of("/", "/tasks", "/task", "/slabs", "/log")) {
            keep(path, path, Map.of());
        }
        if (program == null) {
            return;
        }
        List<Backtrace> panic;
        access.lock();
        try {
            panic = ((BtCommand.Backtraces) value("bt")).backtraces();
        } catch (Exception e) {
            return; // the panic task's page says why it has no stack
        } finally {
            access.unlock();
        }
        for (Backtrace bt : panic) {
            for (Backtrace.Frame f : bt.frames()) {
                if (f.function() != null && !f.userMode()) {
                    String at = Long.toHexString(f.callSite());
                    keep("/dis?fn=" + url(f.function()) + "&at=" + at, "/dis", Map.of("fn", f.function(), "at", at));
                }
            }
        }
    }

    /** Makes one page and keeps it under the request URI a link to it sends. */
    private void keep(String uri, String path, Map<String, String> query) {
        access.lock();
        try {
            if (!pages.containsKey(uri)) {
                page(path, query).ifPresent(page -> pages.put(uri, page.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (dev.kdive.types.TypeException e) {
            // a layout this kernel lacks: the page says so when it is asked for; a bug of kdive's own is not hidden here
        } finally {
            access.unlock();
        }
    }

    /** {@return where the viewer listens: http://127.0.0.1:PORT/} */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String host = x.getRequestHeaders().getFirst("Host");
            int port = server.getAddress().getPort();
            // Another site's page cannot reach this one through a DNS name that resolves to 127.0.0.1.
            if (host == null || !(host.equals("127.0.0.1:" + port) || host.equals("localhost:" + port))) {
                send(x, 403, "text/plain", "kdive viewer: only http://127.0.0.1:" + port + "/ is served\n");
                return;
            }
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                send(x, 405, "text/plain", "kdive viewer: read-only\n");
                return;
            }
            String path = x.getRequestURI().getPath();
            Map<String, String> q = query(x.getRequestURI().getRawQuery());
            switch (path) {
                case "/style.css" -> send(x, 200, "text/css", AnalysisHtml.STYLE + STYLE);
                case "/app.js" -> send(x, 200, "text/javascript", SCRIPT);
                default -> {
                    String key = x.getRequestURI().toString();
                    byte[] page;
                    access.lock();
                    try {
                        page = pages.get(key);
                        if (page == null) {
                            Optional<String> body = page(path, q);
                            page = body.map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(null);
                            if (page != null) {
                                pages.put(key, page);
                            }
                        }
                    } finally {
                        access.unlock();
                    }
                    if (page == null) {
                        send(x, 404, "text/html", html("Not found", "<p>No page " + esc(path) + " here.</p>"));
                        return;
                    }
                    send(x, 200, "text/html", page);
                }
            }
        }
    }

    private Optional<String> page(String path, Map<String, String> q) {
        if (program == null && !List.of("/", "/log").contains(path)) {
            return Optional.of(html("Not in a log", "<p>" + esc(input) + " is a kernel log: it has the analysis and the log, "
                    + "not the tasks, slabs and memory of a dump.</p>"));
        }
        return Optional.ofNullable(switch (path) {
            case "/" -> html("Analysis", (program == null ? "" : "<p><a id=\"panic-task\" href=\"/task\">the panic task: its stack, "
                    + "arguments and files</a></p>\n") + AnalysisHtml.body(analysis.get()));
            case "/tasks" -> tasks();
            case "/task" -> task(q.getOrDefault("pid", ""));
            case "/dis" -> dis(q.getOrDefault("fn", ""), q.getOrDefault("at", ""));
            case "/slabs" -> slabs();
            case "/slab" -> command("Slab cache " + q.getOrDefault("name", ""), "kmem -S " + word(q.getOrDefault("name", "")));
            case "/log" -> log();
            case "/modules" -> command("Modules", "mod");
            case "/sym" -> sym(q.getOrDefault("q", ""));
            default -> null;
        });
    }

    /** A word for a command line: quoted, so a name with blanks or markup stays one argument. */
    private static String word(String s) {
        return "'" + s.replace("'", "") + "'";
    }

    /** {@return whether the program has a vmlinux with DWARF: then stacks and disassembly get file:line} */
    private boolean hasSourceLines() {
        try {
            return program.sourceLines().isPresent();
        } catch (IOException | dev.kdive.dump.DumpFormatException e) {
            return false;
        }
    }

    private Output value(String command) throws Exception {
        List<String> words = Shell.words(command);
        ShellCommand c = shell.commands().get(words.getFirst());
        return c.run(program, words.subList(1, words.size()));
    }

    /** {@return the message of a command that could not run, as one escaped paragraph} */
    private static String failure(String command, Exception e) {
        return "<p class=\"error\">" + esc(command) + ": " + esc(e instanceof RuntimeException && !(e instanceof dev.kdive.types.TypeException)
                ? Shell.internalError(e) : e.getMessage()) + "</p>";
    }

    private String tasks() {
        StringBuilder h = new StringBuilder();
        try {
            PsCommand.Listing ps = (PsCommand.Listing) value("ps");
            h.append("<p><input id=\"filter\" type=\"search\" placeholder=\"filter: pid, comm, state…\" autofocus> <span id=\"count\">")
                    .append(ps.rows().size()).append(" tasks</span> · &gt; marks a task running on a CPU</p>\n");
            h.append("<table class=\"sortable filterable\"><thead><tr><th></th><th>PID</th><th>PPID</th><th>CPU</th><th>TASK</th><th>ST</th>"
                    + "<th>%MEM</th><th>VSZ</th><th>RSS</th><th>COMM</th></tr></thead><tbody>\n");
            for (PsCommand.Row r : ps.rows()) {
                Task t = r.task();
                String comm = t.kernelThread() ? "[" + t.comm() + "]" : t.comm();
                h.append("<tr><td>").append(r.current() ? "&gt;" : "").append("</td><td><a href=\"/task?pid=").append(t.pid()).append("\">")
                        .append(t.pid()).append("</a></td><td>").append(t.ppid()).append("</td><td>").append(t.cpu())
                        .append("</td><td class=\"mono\">").append(Long.toHexString(t.address())).append("</td><td>").append(esc(t.stateName()))
                        .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", r.memPercent())).append("</td><td>").append(r.vszKb())
                        .append("</td><td>").append(r.rssKb()).append("</td><td class=\"comm\">").append(esc(comm)).append("</td></tr>\n");
            }
            h.append("</tbody></table>\n");
            problems(h, ps.problems());
        } catch (Exception e) {
            h.append(failure("ps", e));
        }
        return html("Tasks", h.toString());
    }

    /** A task's stack, arguments and files; without a pid, the panic task's (bt's default, as in crash). */
    private String task(String pid) {
        if (!pid.matches("\\d{0,9}")) {
            return html("Task", "<p class=\"error\">pid: expected a number, found \"" + esc(pid) + "\"</p>");
        }
        StringBuilder h = new StringBuilder();
        boolean lines = hasSourceLines();
        try {
            for (Backtrace bt : ((BtCommand.Backtraces) value("bt " + (lines ? "-l " : "") + pid)).backtraces()) {
                Task t = bt.task();
                pid = Integer.toString(t.pid());
                h.append("<p class=\"mono\">PID: ").append(t.pid()).append(" · TASK: ").append(Long.toHexString(t.address()))
                        .append(" · CPU: ").append(t.cpu()).append(" · COMMAND: \"<span class=\"comm\">").append(esc(t.comm()))
                        .append("</span>\" · ").append(esc(t.stateName())).append("</p>\n");
                h.append("<table class=\"stack\"><thead><tr><th>#</th><th>SP</th><th>function</th><th>address</th><th>source</th></tr></thead><tbody>\n");
                for (Backtrace.Frame f : bt.frames()) {
                    h.append("<tr><td>").append(f.level()).append("</td><td class=\"mono\">").append(Long.toHexString(f.sp()))
                            .append("</td><td class=\"mono\">");
                    if (f.function() != null && !f.userMode()) {
                        h.append("<a href=\"/dis?fn=").append(esc(url(f.function()))).append("&amp;at=").append(Long.toHexString(f.callSite()))
                                .append("\">").append(esc(f.function())).append("</a>");
                        if (f.module() != null) {
                            h.append(" [").append(esc(f.module())).append("]");
                        }
                    } else {
                        h.append(f.userMode() ? "(user mode)" : "?");
                    }
                    h.append("</td><td class=\"mono\">").append(Long.toHexString(f.ip())).append("</td><td class=\"mono\">")
                            .append(f.source() != null ? esc(f.source().file() + ":" + f.source().line()) : "")
                            .append("</td></tr>\n");
                    if (f.exceptionRegisters() != null && !f.exceptionRegisters().isEmpty()) {
                        h.append("<tr class=\"exception\"><td></td><td colspan=\"4\" class=\"mono\">");
                        f.exceptionRegisters().forEach((k, v) -> h.append(esc(k)).append(": ").append(Long.toHexString(v)).append(" &nbsp;"));
                        h.append("</td></tr>\n");
                    }
                }
                h.append("</tbody></table>\n");
                if (bt.end() != null) {
                    h.append("<p class=\"meta\">").append(esc(bt.end())).append("</p>");
                }
                if (bt.failure() != null) {
                    h.append("<p class=\"error\">").append(esc(bt.failure())).append("</p>");
                }
            }
        } catch (Exception e) {
            h.append(failure("bt " + pid, e));
        }
        if (pid.isEmpty()) {
            return html("Panic task", h.toString());
        }
        h.append("<h2>Arguments and environment</h2>");
        pre(h, "ps -a " + pid);
        h.append("<h2>Open files</h2>");
        pre(h, "files " + pid);
        return html("Task " + pid, h.toString());
    }

    private String dis(String fn, String at) {
        if (!fn.matches("[\\w.$]{1,200}") || !at.matches("[0-9a-f]{0,16}")) {
            return html("Disassembly", "<p class=\"error\">dis: expected a function name and a hex address</p>");
        }
        StringBuilder h = new StringBuilder();
        String command = "dis " + (hasSourceLines() ? "-l " : "") + fn;
        try {
            DisCommand.Listing d = (DisCommand.Listing) value(command);
            long target = at.isEmpty() ? -1 : Long.parseUnsignedLong(at, 16);
            h.append("<p class=\"meta\">").append(esc(command)).append(at.isEmpty() ? "" : " · the frame's call site is marked").append("</p>\n<pre class=\"dis\">");
            for (DisCommand.Line l : d.lines()) {
                l.source().ifPresent(s -> h.append("<span class=\"src\">").append(esc(s)).append("</span>\n"));
                boolean mark = target >= l.insn().address() && target < l.insn().address() + l.insn().length();
                h.append(mark ? "<mark id=\"at\">" : "").append(esc(l.render())).append(mark ? "</mark>" : "").append('\n');
            }
            h.append("</pre>\n");
            problems(h, d.problems());
        } catch (Exception e) {
            h.append(failure(command, e));
        }
        return html("dis " + fn, h.toString());
    }

    private String slabs() {
        StringBuilder h = new StringBuilder();
        try {
            KmemCommand.Counts counts = (KmemCommand.Counts) value("kmem -s");
            List<Slub.CacheState> damaged = counts.states().stream().filter(s -> !s.findings().isEmpty()).toList();
            if (!damaged.isEmpty()) {
                h.append("<section class=\"findings\"><h2>Findings</h2>");
                for (Slub.CacheState s : damaged) {
                    s.findings().forEach(f -> h.append("<article class=\"finding corruption\"><a href=\"/slab?name=").append(esc(url(s.cache().name())))
                            .append("\">").append(esc(s.cache().name())).append("</a>: ").append(esc(f.summary())).append("</article>\n"));
                }
                h.append("</section>");
            }
            h.append("<p><input id=\"filter\" type=\"search\" placeholder=\"filter caches…\" autofocus> <span id=\"count\">")
                    .append(counts.states().size()).append(" caches</span></p>\n<table class=\"sortable filterable\"><thead><tr><th>CACHE</th>"
                            + "<th>NAME</th><th>OBJSIZE</th><th>ALLOCATED</th><th>TOTAL</th><th>SLABS</th><th>SSIZE</th><th>findings</th></tr></thead><tbody>\n");
            for (Slub.CacheState s : counts.states()) {
                h.append(s.findings().isEmpty() ? "<tr>" : "<tr class=\"bad\">").append("<td class=\"mono\">").append(Long.toHexString(s.cache().address()))
                        .append("</td><td><a href=\"/slab?name=").append(esc(url(s.cache().name()))).append("\">").append(esc(s.cache().name()))
                        .append("</a></td><td>").append(s.cache().objectSize()).append("</td><td>").append(s.census().allocated())
                        .append("</td><td>").append(s.census().total()).append("</td><td>").append(s.census().slabs()).append("</td><td>")
                        .append(s.cache().slabBytes() / 1024).append("k</td><td>").append(s.findings().size()).append("</td></tr>\n");
            }
            h.append("</tbody></table>\n");
            problems(h, counts.problems());
        } catch (Exception e) {
            h.append(failure("kmem -s", e));
        }
        return html("Slab caches", h.toString());
    }

    private String log() {
        StringBuilder h = new StringBuilder("<p><input id=\"filter\" type=\"search\" placeholder=\"filter lines…\" autofocus></p>\n<pre class=\"log filterable\">");
        if (program == null) {
            logText.lines().forEach(l -> h.append("<span>").append(esc(l)).append("\n</span>"));
        } else {
            try {
                LogCommand.Messages m = (LogCommand.Messages) value("log");
                for (PrintkLog.Entry e : m.log().entries()) {
                    h.append("<span>").append(esc(e.timestamp() + e.text())).append("\n</span>");
                }
                h.append("</pre>");
                problems(h, m.log().problems());
                return html("Kernel log", h.toString());
            } catch (Exception e) {
                h.append("</pre>").append(failure("log", e));
                return html("Kernel log", h.toString());
            }
        }
        return html("Kernel log", h.append("</pre>").toString());
    }

    private String sym(String query) {
        StringBuilder h = new StringBuilder("<form action=\"/sym\"><input name=\"q\" type=\"search\" value=\"").append(esc(query))
                .append("\" placeholder=\"symbol name or address\" autofocus> <button>look up</button></form>\n");
        if (!query.isBlank()) {
            pre(h, "sym " + word(query.strip()));
        }
        return html("Symbols", h.toString());
    }

    /** A page whose content is a command's text output. */
    private String command(String title, String command) {
        StringBuilder h = new StringBuilder("<p class=\"meta\">").append(esc(command)).append("</p>");
        pre(h, command);
        return html(title, h.toString());
    }

    private void pre(StringBuilder h, String command) {
        try {
            StringWriter w = new StringWriter();
            try (PrintWriter p = new PrintWriter(w)) {
                value(command).text(p);
            }
            h.append("<pre>").append(esc(w.toString())).append("</pre>\n");
        } catch (Exception e) {
            h.append(failure(command, e));
        }
    }

    private static void problems(StringBuilder h, List<? extends dev.kdive.finding.Finding> problems) {
        if (!problems.isEmpty()) {
            h.append("<ul class=\"problems\">");
            problems.forEach(p -> h.append("<li>").append(esc(p.summary())).append("</li>"));
            h.append("</ul>");
        }
    }

    private String html(String title, String body) {
        StringBuilder h = new StringBuilder(body.length() + 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kdive: ").append(esc(title)).append(" — ")
                .append(esc(input)).append("</title>\n<link rel=\"stylesheet\" href=\"/style.css\"><script src=\"/app.js\" defer></script></head>\n<body>\n<nav>")
                .append("<b>kdive</b> <span class=\"meta\">").append(esc(input)).append("</span> ");
        Map<String, String> nav = new LinkedHashMap<>();
        nav.put("/", "analysis");
        if (program != null) {
            nav.put("/tasks", "tasks");
            nav.put("/slabs", "slabs");
        }
        nav.put("/log", "log");
        if (program != null) {
            nav.put("/modules", "modules");
            nav.put("/sym", "symbols");
        }
        nav.forEach((href, name) -> h.append("<a href=\"").append(href).append("\">").append(name).append("</a> "));
        h.append("</nav>\n<main>\n");
        if (!title.equals("Analysis")) {
            h.append("<h1>").append(esc(title)).append("</h1>\n");
        }
        return h.append(body).append("</main>\n</body></html>\n").toString();
    }

    private static String url(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                try {
                    if (eq > 0) {
                        q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                } catch (IllegalArgumentException e) {
                    // a malformed escape: that parameter is absent
                }
            }
        }
        return q;
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        send(x, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        var headers = x.getResponseHeaders();
        headers.set("Content-Type", type + "; charset=utf-8");
        headers.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cache-Control", "no-store");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        }
    }

    private static final String STYLE = """
            nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.4em 0;margin-bottom:1em}nav a{margin:0 .4em}
            .error{color:#a50e0e}tr.bad{background:#ffebee}th{cursor:pointer;user-select:none}th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
            input[type=search]{font:inherit;padding:.2em .4em;width:24em}pre.dis .src{color:#2e7d32}mark#at{background:#ffe082}
            td.mono,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}.hidden{display:none}
            """;

    /** Sorting (click a column head) and filtering (the search box) of the tables and the log; nothing else. */
    private static final String SCRIPT = """
            "use strict";
            document.addEventListener("DOMContentLoaded", () => {
              for (const table of document.querySelectorAll("table.sortable")) {
                table.querySelectorAll("th").forEach((th, col) => th.addEventListener("click", () => {
                  const body = table.tBodies[0], rows = Array.from(body.rows), asc = !th.classList.contains("asc");
                  table.querySelectorAll("th").forEach(h => h.classList.remove("asc", "desc"));
                  th.classList.add(asc ? "asc" : "desc");
                  const key = r => r.cells[col].textContent.trim();
                  const numeric = rows.every(r => key(r) === "" || !isNaN(Number(key(r))));
                  rows.sort((a, b) => {
                    const x = key(a), y = key(b);
                    const c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
                    return asc ? c : -c;
                  });
                  rows.forEach(r => body.appendChild(r));
                }));
              }
              const filter = document.getElementById("filter");
              if (filter) {
                const items = () => Array.from(document.querySelectorAll("table.filterable tbody tr, pre.filterable > span"));
                filter.addEventListener("input", () => {
                  const words = filter.value.toLowerCase().split(/\\s+/).filter(w => w);
                  let shown = 0;
                  for (const item of items()) {
                    const text = item.textContent.toLowerCase();
                    const show = words.every(w => text.includes(w));
                    item.classList.toggle("hidden", !show);
                    if (show) shown++;
                  }
                  const count = document.getElementById("count");
                  if (count) count.textContent = shown + " shown";
                });
              }
              const at = document.getElementById("at");
              if (at) at.scrollIntoView({block: "center"});
            });
            """;
}
