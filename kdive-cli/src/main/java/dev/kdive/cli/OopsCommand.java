package dev.kdive.cli;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.kdive.cli.shell.Json;
import dev.kdive.dwarf.SourceLines;
import dev.kdive.oops.CallTrace;
import dev.kdive.oops.CodeDisassembly;
import dev.kdive.oops.Disassembler;
import dev.kdive.oops.Frame;
import dev.kdive.oops.OopsParser;
import dev.kdive.oops.OopsReport;
import dev.kdive.oops.Registers;
import dev.kdive.oops.Symbolizer;
import dev.kdive.oops.Taint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kdive oops LOG|-}: every crash report in a kernel log, decoded as a kernel engineer reads
 * one: kind and title, task, taint letters, RIP, registers with EFLAGS, selectors and non-canonical
 * values explained, the page-fault error code, the Code: bytes (disassembled with kdive's x86-64
 * disassembler when libZydis is installed), the call trace with unreliable frames apart, modules; with {@code --vmlinux}, every
 * frame's file:line and inline chain.
 */
@Command(name = "oops", description = "Decode the oops, BUG, WARNING, lockup, hung task, sanitizer and panic reports in a kernel log.")
final class OopsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOG", description = "the log (serial console, dmesg, journalctl -k, a bug report); - for standard input")
    String log;

    @Option(names = "--vmlinux", paramLabel = "FILE", description = "the crashed kernel's vmlinux with DWARF: frames to file:line")
    Path vmlinux;

    @Option(names = "--modules", paramLabel = "DIR", description = "where module .ko (or .ko.debug) files are, found by name (repeatable)")
    List<Path> moduleDirs = new ArrayList<>();

    @Option(names = "--json", description = "print one JSON document: {\"file\": LOG, \"reports\": [...]}")
    boolean json;

    @Option(names = "--titles", description = "print one line per report: its syzbot-style title, a tab, its signature (for scripts and fleets)")
    boolean titles;

    @Override
    public Integer call() throws IOException {
        byte[] bytes;
        try {
            bytes = log.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(log));
        } catch (NoSuchFileException e) {
            System.err.println("kdive: " + log + ": no such file");
            return 1;
        } catch (IOException e) {
            System.err.println("kdive: " + log + ": " + e.getMessage());
            return 1;
        }
        List<OopsReport> reports = OopsParser.parse(bytes);
        if (titles) { // nothing to decode: the titles only, even for a log without a report (no line)
            PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
            for (OopsReport r : reports) {
                out.println(r.title() + "\t" + r.signature());
            }
            out.flush();
            return 0;
        }
        Map<OopsReport, List<Symbolizer.SourceFrame>> sources = new IdentityHashMap<>();
        if (vmlinux != null) {
            Optional<dev.kdive.dwarf.DebugFile> debug = Addr2lineCommand.openWithDwarf(vmlinux);
            if (debug.isEmpty()) {
                return 1;
            }
            try (Symbolizer symbolizer = new Symbolizer(debug.get(), moduleDirs)) {
                for (OopsReport r : reports) {
                    sources.put(r, symbolizer.symbolize(r));
                }
            }
        }
        // The Code: bytes are disassembled when libZydis is installed; without it the bytes are shown as printed.
        dev.kdive.disasm.Disassembler zydis = null;
        if (reports.stream().anyMatch(r -> r.code() != null && r.code().unitBytes() == 1 && r.code().unavailable() == null)) {
            try {
                zydis = dev.kdive.disasm.Disassembler.x86_64();
            } catch (dev.kdive.disasm.Disassembler.Unavailable e) {
                System.err.println("kdive: Code: bytes not disassembled: " + e.getMessage());
            }
        }
        try {
            Optional<Disassembler> disassembler = Optional.ofNullable(zydis).map(Disassembler::x86_64);
            PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
            if (json) {
                List<Decoded> all = new ArrayList<>();
                for (OopsReport r : reports) {
                    all.add(decoded(r, sources.get(r), disassembler));
                }
                out.println(Json.mapper().writeValueAsString(new Document(log, all)));
            } else if (reports.isEmpty()) {
                out.println("no report found in " + log);
            } else {
                for (int i = 0; i < reports.size(); i++) {
                    if (i > 0) {
                        out.println();
                    }
                    text(out, reports.get(i), i + 1, reports.size(), sources.get(reports.get(i)), disassembler);
                }
            }
            out.flush();
        } finally {
            if (zydis != null) {
                zydis.close();
            }
        }
        return 0;
    }

    static void text(PrintWriter out, OopsReport r, int n, int of, List<Symbolizer.SourceFrame> sources, Optional<Disassembler> dis) {
        out.printf("== report %d of %d (line %d): %s%n", n, of, r.line(), r.title());
        row(out, "kind", r.kind().words + (r.culprit() != null ? ", culprit " + r.culprit() : "") + ", signature " + r.signature());
        row(out, "header", r.header());
        if (r.corrupted() != null) {
            row(out, "corrupted", r.corrupted() + " (the title cannot name a frame with confidence)");
        }
        if (r.access() != null) {
            row(out, "detail", r.access());
        }
        if (r.location() != null) {
            row(out, "at", r.location());
        }
        if (r.cpu() != null || r.pid() != null || r.comm() != null) {
            row(out, "task", (r.cpu() != null ? "CPU " + r.cpu() + "  " : "") + (r.pid() != null ? "PID " + r.pid() + "  " : "")
                    + (r.comm() != null ? "Comm " + r.comm() : ""));
        }
        if (r.release() != null) {
            row(out, "kernel", r.release() + (r.version() != null ? " " + r.version() : ""));
        }
        if (r.taint() != null) {
            row(out, "tainted", r.taint().flags().isEmpty() ? "no (" + r.taint().text() + ")" : r.taint().letters());
            for (Taint.Flag f : r.taint().flags()) {
                out.printf("              %c  %s (bit %d)%n", f.letter, f.meaning, f.bit);
            }
        }
        if (r.hardware() != null) {
            row(out, "hardware", r.hardware());
        }
        if (r.workqueue() != null) {
            row(out, "workqueue", r.workqueue());
        }
        if (r.die() != null) {
            row(out, "die", "#" + r.die() + (r.errorCode() != null ? String.format(", error code %04x", r.errorCode()) : "")
                    + (r.dieFlags() != null && !r.dieFlags().isEmpty() ? ", " + r.dieFlags() : ""));
        }
        if (r.pageFault() != null) {
            row(out, "#PF", String.format("error code 0x%x: %s", r.pageFault().code(), r.pageFault().describe()));
        }
        if (r.address() != null) {
            row(out, "address", String.format("0x%016x%s", r.address(), addressNote(r)));
        }
        if (r.rip() != null) {
            row(out, r.registers().programCounter(), r.rip().symbol() + source(sources, r.rip()));
        }
        r.registers().cs().ifPresent(s -> row(out, "CS", s.describe()));
        r.registers().ss().ifPresent(s -> row(out, "SS", s.describe()));
        r.registers().eflags().ifPresent(e -> row(out, "EFLAGS", String.format("%08x: %s", e.value(), e.describe())));
        registers(out, r.registers());
        if (r.code() != null) {
            row(out, "Code", r.code().toString());
            if (dis.isPresent()) {
                CodeDisassembly.of(r.code(), r.registers(), dis.get()).ifPresent(d -> code(out, d, r));
            }
        }
        for (CallTrace t : r.traces()) {
            out.println(t.label() + ":");
            List<Frame> unreliable = new ArrayList<>();
            String context = null;
            for (Frame f : t.frames()) {
                if (!f.reliable()) {
                    unreliable.add(f);
                    continue;
                }
                if (f.context() != null && !f.context().equals(context)) {
                    out.println("  <" + f.context() + ">");
                }
                context = f.context();
                out.println("  " + (f.exception() ? "RIP: " : "") + f.symbol() + source(sources, f));
            }
            if (!unreliable.isEmpty()) {
                out.println("  unreliable (? frames, found on the stack):");
                for (Frame f : unreliable) {
                    out.println("    " + f.symbol());
                }
            }
        }
        if (!r.modules().isEmpty()) {
            row(out, "modules", String.join(" ", r.modules()));
        }
        if (r.panic() != null) {
            row(out, "panic", r.panic());
        }
    }

    private static String addressNote(OopsReport r) {
        long a = r.address();
        StringBuilder b = new StringBuilder();
        if (!Registers.canonical(a, 48)) {
            b.append(" (non-canonical)");
        }
        List<String> holders = new ArrayList<>();
        r.registers().values().forEach((k, v) -> {
            if (v == a && !k.equals("CR2") && a != 0) {
                holders.add(k);
            }
        });
        if (!holders.isEmpty()) {
            b.append(", held by ").append(String.join(", ", holders));
        }
        return b.toString();
    }

    private static void registers(PrintWriter out, Registers regs) {
        if (regs.values().isEmpty()) {
            return;
        }
        StringBuilder line = new StringBuilder();
        int col = 0;
        for (Map.Entry<String, Long> e : regs.values().entrySet()) {
            if (e.getKey().equals("CS") || e.getKey().equals("SS") || e.getKey().equals("EFLAGS") || e.getKey().equals("RIP")) {
                continue;
            }
            line.append(String.format("%-6s %016x  ", e.getKey() + ":", e.getValue()));
            if (++col == 3) {
                out.println("  " + line.toString().stripTrailing());
                line.setLength(0);
                col = 0;
            }
        }
        if (col > 0) {
            out.println("  " + line.toString().stripTrailing());
        }
        for (Registers.NonCanonical nc : regs.nonCanonical()) {
            out.printf("  %s %016x is non-canonical%s%n", nc.register(), nc.value(),
                    nc.canonicalWithLa57() ? " with 4-level paging (canonical with 5-level)" : "");
        }
    }

    private static void code(PrintWriter out, CodeDisassembly d, OopsReport r) {
        out.println("  All code:");
        for (Disassembler.Instruction i : d.allCode()) {
            boolean at = d.faulting() != null && i.address() == d.faulting().address();
            out.printf("  %4x:%s %s%s%n", i.address(), at ? "*" : " ", i.text(), at ? "\t\t<-- trapping instruction" : "");
        }
        if (d.faulting() != null && !d.inSync()) {
            out.println("  Code starting with the faulting instruction:");
            for (Disassembler.Instruction i : d.fromFault()) {
                out.printf("  %4x:%s %s%n", i.address(), i == d.faulting() ? "*" : " ", i.text());
            }
        }
        for (CodeDisassembly.Operand o : d.operands()) {
            out.printf("  operand %s (%%%s) = %s%s%n", o.register(), o.spelled(), o.value() == null ? "not printed" : String.format("%016x", o.value()),
                    o.nonCanonical() ? "  non-canonical" + (r.address() != null && o.value() != null && o.value().equals(r.address()) ? ": the faulting address" : "") : "");
        }
    }

    private static String source(List<Symbolizer.SourceFrame> sources, Frame f) {
        if (sources == null) {
            return "";
        }
        for (Symbolizer.SourceFrame s : sources) {
            if (s.frame() == f) {
                StringBuilder b = new StringBuilder();
                List<SourceLines.Frame> lines = s.lines();
                if (!lines.isEmpty()) {
                    b.append("  ").append(lines.getFirst().location());
                    for (int i = 1; i < lines.size(); i++) {
                        b.append("\n      inlined into ").append(lines.get(i).function()).append(" at ").append(lines.get(i).location());
                    }
                    if (lines.size() > 1) {
                        b.insert(2, "(" + lines.getFirst().function() + ") ");
                    }
                }
                if (s.warning() != null) {
                    b.append("  [").append(s.warning()).append(']');
                }
                return b.toString();
            }
        }
        return "";
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%-12s  %s%n", key, value);
    }

    /** The document {@code kdive oops --json} prints: the log and every report in it, decoded. */
    record Document(String file, List<Decoded> reports) {}

    /**
     * One report as {@code kdive oops} decodes it: the report's own record (registers with EFLAGS,
     * selectors and non-canonical values decoded, the #PF error code, the Code: bytes, the traces),
     * the Code: bytes disassembled when libZydis is there, and with {@code --vmlinux} every frame's
     * source lines.
     */
    record Decoded(@JsonUnwrapped OopsReport report, CodeDisassembly disassembly, List<Symbolizer.SourceFrame> sources) {}

    static Decoded decoded(OopsReport r, List<Symbolizer.SourceFrame> sources, Optional<Disassembler> dis) {
        return new Decoded(r, dis.flatMap(d -> CodeDisassembly.of(r.code(), r.registers(), d)).orElse(null), sources);
    }

}
