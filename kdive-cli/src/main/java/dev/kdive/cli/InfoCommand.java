package dev.kdive.cli;

import dev.kdive.dump.DumpFile;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.cli.shell.Json;
import dev.kdive.dump.DumpSummary;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kdive info DUMP}: what kind of dump this is and what its VMCOREINFO says. */
@Command(name = "info", description = "Show a dump's format and its VMCOREINFO summary.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DUMP", description = "vmcore: ELF, kdump-compressed or makedumpfile flattened")
    Path dump;

    @Option(names = "--json", description = "print the summary as one JSON object")
    boolean json;

    @Override
    public Integer call() {
        try (DumpFile d = DumpFile.open(dump)) {
            DumpSummary s = DumpSummary.of(d);
            PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
            if (json) {
                out.println(Json.mapper().writeValueAsString(s));
            } else {
                text(s, out);
            }
            out.flush();
            return 0;
        } catch (NoSuchFileException e) {
            System.err.println("kdive: " + dump + ": no such file");
        } catch (IOException e) {
            System.err.println("kdive: " + dump + ": " + e.getMessage());
        } catch (DumpFormatException e) {
            System.err.println("kdive: " + e.getMessage());
        }
        return 1;
    }

    /** crash-like lines: DUMPFILE, FORMAT, COMPRESSION, PAGES, NOTES, RELEASE, PAGESIZE, KERNELOFFSET, VMCOREINFO. */
    static void text(DumpSummary s, PrintWriter out) {
        out.println("DUMPFILE: " + s.path());
        out.println("  FORMAT: " + s.format());
        if (s.compression() != null) {
            out.println("COMPRESSION: " + s.compression() + ", dump level " + s.dumpLevel()
                    + " (makedumpfile -d: 1 zero, 2/4 cache, 8 user, 16 free pages excluded)");
        }
        if (s.pages() != null) {
            out.printf("   PAGES: %d present, %d excluded, %d absent (4 KiB pages)%n", s.pages().present(), s.pages().excluded(), s.pages().absent());
        } else {
            out.println("   PAGES: " + s.pagesProblem());
        }
        if (s.notesProblem() != null) {
            out.println("   NOTES: " + s.notesProblem());
        } else {
            out.println("   NOTES: " + (s.notes().isEmpty() ? "(none)" : new java.util.TreeMap<>(s.notes()).toString().replaceAll("[{}]", "")));
        }
        if (s.vmcoreinfo() == 0) {
            out.println("VMCOREINFO: (none in this dump)");
        } else {
            out.println(" RELEASE: " + (s.release() != null ? s.release() : "(unknown)"));
            out.println("PAGESIZE: " + (s.pageSize() != null ? s.pageSize() : "(unknown)"));
            out.println("KERNELOFFSET: " + (s.kernelOffset() != null ? s.kernelOffset() : "(none)"));
            out.println("VMCOREINFO: " + s.vmcoreinfo() + " entries");
        }
    }
}
