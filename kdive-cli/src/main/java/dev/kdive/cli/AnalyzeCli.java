package dev.kdive.cli;

import dev.kdive.cli.shell.AnalyzeCommand;
import dev.kdive.cli.shell.Json;
import dev.kdive.dump.DumpFile;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.kernel.Kernel;
import dev.kdive.kernel.ModuleDebugFiles;
import dev.kdive.program.Program;
import dev.kdive.triage.Analysis;
import dev.kdive.triage.Triage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kdive analyze DUMP|LOG|-}: the verdict on a crash, from a vmcore (its memory and its
 * printk log) or from a console log alone.
 */
@Command(name = "analyze", description = "The answer to a crash: what crashed, why, the culprit and a confidence; the findings that "
        + "prove it, with their evidence; what to do next. From a dump, or from a console log, dmesg or journal text.")
final class AnalyzeCli implements Callable<Integer> {
    /** How much of a file's start decides whether it is text: a log is printable ASCII and UTF-8, a dump is not. */
    private static final int SNIFF = 64 * 1024;

    @Parameters(index = "0", paramLabel = "DUMP|LOG", description = "a vmcore (any format kdive opens), a kernel log, or - for a log on standard input")
    String input;

    @Option(names = "--vmlinux", paramLabel = "FILE", description = "the matching vmlinux; optional")
    Path vmlinux;

    @Option(names = "--modules", paramLabel = "DIR", description = "where module .ko (or .ko.debug) files with DWARF are, found by name: "
            + "module frames get file:line (repeatable)")
    List<Path> moduleDirs = new ArrayList<>();

    @Option(names = "--json", description = "print the Analysis value as one JSON document (docs/analyze.md)")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE", description = "also write the analysis as one self-contained HTML page (works offline)")
    Path html;

    @Override
    public Integer call() throws IOException {
        Analysis a;
        if (input.equals("-")) {
            a = Triage.ofLog("-", new String(System.in.readAllBytes(), StandardCharsets.ISO_8859_1));
        } else {
            Path path = Path.of(input);
            if (!Files.isRegularFile(path)) {
                System.err.println("kdive: " + input + ": no such file");
                return 1;
            }
            if (isDump(path)) {
                try (Program p = Kernel.open(path, Optional.ofNullable(vmlinux))) {
                    ModuleDebugFiles.of(p).searchIn(moduleDirs);
                    a = Triage.ofDump(input, p);
                } catch (NoSuchFileException e) {
                    System.err.println("kdive: " + e.getFile() + ": no such file");
                    return 1;
                } catch (DumpFormatException e) {
                    System.err.println("kdive: " + e.getMessage());
                    return 1;
                }
            } else if (isText(path)) {
                a = Triage.ofLog(input, Files.readString(path, StandardCharsets.ISO_8859_1));
            } else {
                System.err.println("kdive: " + input + ": at offset 0: neither a dump kdive knows (ELF vmcore, kdump-compressed, "
                        + "makedumpfile flattened) nor a text log");
                return 1;
            }
        }
        if (html != null) {
            try {
                Files.writeString(html, dev.kdive.cli.shell.AnalysisHtml.render(a), StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("kdive: " + html + ": cannot write: " + e.getMessage());
                return 1;
            }
        }
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        AnalyzeCommand.Report report = new AnalyzeCommand.Report(a);
        if (json) {
            out.println(Json.mapper().writeValueAsString(report.json()));
        } else {
            report.text(out);
        }
        out.flush();
        return 0;
    }

    /** {@return whether the file opens as a dump: its magic is one kdive reads} */
    static boolean isDump(Path path) {
        try (DumpFile d = DumpFile.open(path)) {
            return d != null;
        } catch (DumpFormatException | IOException e) {
            return false;
        }
    }

    /** {@return whether the file's start is text: no NUL bytes and mostly printable} */
    static boolean isText(Path path) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(SNIFF);
        }
        int printable = 0;
        for (byte b : head) {
            if (b == 0) {
                return false;
            }
            if (b >= 0x20 || b == '\n' || b == '\r' || b == '\t' || b < 0) {
                printable++;
            }
        }
        return head.length == 0 || printable >= head.length * 0.95;
    }
}
