package dev.kdive.cli;

import dev.kdive.cli.shell.Viewer;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.kernel.Kernel;
import dev.kdive.kernel.ModuleDebugFiles;
import dev.kdive.program.Program;
import java.io.IOException;
import java.net.BindException;
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

/** {@code kdive serve DUMP|LOG}: the read-only local web viewer, on 127.0.0.1 only, until Ctrl-C. */
@Command(name = "serve", description = "Serve a read-only web viewer of a dump or a log on 127.0.0.1: the analysis, tasks and their "
        + "stacks, disassembly, slab caches, the kernel log, modules and symbols. Prints the URL; Ctrl-C stops it.")
final class ServeCli implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DUMP|LOG", description = "a vmcore (any format kdive opens) or a kernel log")
    Path input;

    @Option(names = "--port", paramLabel = "N", description = "the port on 127.0.0.1 (default 0: a free one)")
    int port;

    @Option(names = "--vmlinux", paramLabel = "FILE", description = "the matching vmlinux with DWARF: stacks and disassembly get file:line")
    Path vmlinux;

    @Option(names = "--modules", paramLabel = "DIR", description = "where module .ko files with DWARF are, found by name (repeatable)")
    List<Path> moduleDirs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!Files.isRegularFile(input)) {
            System.err.println("kdive: " + input + ": no such file");
            return 1;
        }
        if (port < 0 || port > 65535) {
            System.err.println("kdive: --port " + port + ": expected 0 (a free port) to 65535");
            return 1;
        }
        Program program = null;
        Viewer viewer;
        try {
            if (AnalyzeCli.isDump(input)) {
                program = Kernel.open(input, Optional.ofNullable(vmlinux));
                for (String w : program.warnings()) {
                    System.err.println("kdive: " + w);
                }
                ModuleDebugFiles.of(program).searchIn(moduleDirs);
                viewer = Viewer.ofDump(input.toString(), program, port);
            } else if (AnalyzeCli.isText(input)) {
                viewer = Viewer.ofLog(input.toString(), Files.readString(input, StandardCharsets.ISO_8859_1), port);
            } else {
                System.err.println("kdive: " + input + ": at offset 0: neither a dump kdive knows (ELF vmcore, kdump-compressed, "
                        + "makedumpfile flattened) nor a text log");
                return 1;
            }
        } catch (NoSuchFileException e) {
            System.err.println("kdive: " + e.getFile() + ": no such file");
            return 1;
        } catch (DumpFormatException e) {
            System.err.println("kdive: " + e.getMessage());
            return 1;
        } catch (BindException e) {
            System.err.println("kdive: 127.0.0.1:" + port + ": cannot listen there (" + e.getMessage() + "); --port 0 takes a free port");
            return 1;
        }
        System.out.println("kdive: serving " + input + " at " + viewer.uri() + " (read-only, this machine only; Ctrl-C stops)");
        System.out.flush();
        Thread.currentThread().join(); // until the process is stopped
        return 0;
    }
}
