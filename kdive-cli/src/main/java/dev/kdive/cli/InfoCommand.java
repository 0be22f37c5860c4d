package dev.kdive.cli;

import dev.kdive.dump.DumpFile;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.dump.Vmcoreinfo;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kdive info DUMP}: what kind of dump this is and what its VMCOREINFO says. */
@Command(name = "info", description = "Show a dump's format and its VMCOREINFO summary.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DUMP", description = "vmcore: ELF, kdump-compressed or makedumpfile flattened")
    Path dump;

    @Override
    public Integer call() {
        try (DumpFile d = DumpFile.open(dump)) {
            System.out.println("DUMPFILE: " + d.path());
            System.out.println("  FORMAT: " + d.formatName());
            try {
                var m = d.memory();
                var c = m.census();
                if (m instanceof dev.kdive.dump.DiskDumpMemory dd) {
                    System.out.println("COMPRESSION: " + dd.compression() + ", dump level " + dd.dumpLevel()
                            + " (makedumpfile -d: 1 zero, 2/4 cache, 8 user, 16 free pages excluded)");
                }
                System.out.printf("   PAGES: %d present, %d excluded, %d absent (4 KiB pages)%n", c.present(), c.excluded(), c.absent());
            } catch (DumpFormatException e) {
                System.out.println("   PAGES: " + e.getMessage());
            }
            try {
                var notes = d.notes();
                var kinds = new java.util.TreeMap<String, Integer>();
                notes.forEach(n -> kinds.merge(n.name() + (n.type() == dev.kdive.dump.Note.NT_PRSTATUS && n.name().equals("CORE")
                        ? " NT_PRSTATUS" : "/" + n.type()), 1, Integer::sum));
                System.out.println("   NOTES: " + (notes.isEmpty() ? "(none)" : kinds.toString().replaceAll("[{}]", "")));
            } catch (DumpFormatException e) {
                System.out.println("   NOTES: " + e.getMessage());
            }
            var info = d.vmcoreinfo();
            if (info.isEmpty()) {
                System.out.println("VMCOREINFO: (none in this dump)");
            } else {
                var v = Vmcoreinfo.parse(info.get());
                System.out.println(" RELEASE: " + v.getOrDefault("OSRELEASE", "(unknown)"));
                System.out.println("PAGESIZE: " + v.getOrDefault("PAGESIZE", "(unknown)"));
                System.out.println("KERNELOFFSET: " + v.getOrDefault("KERNELOFFSET", "(none)"));
                System.out.println("VMCOREINFO: " + v.size() + " entries");
            }
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
}
