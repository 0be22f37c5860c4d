package dev.kdive.cli.shell;

import dev.kdive.kernel.ModuleDebugFiles;
import dev.kdive.kernel.Modules;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.dwarf.DwarfException;
import dev.kdive.dwarf.SourceLines;
import dev.kdive.program.Program;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * gdb's {@code list *(func+0x7b)}: where a code address is in the source, "ADDR is in FUNC
 * (FILE:LINE)." and the ten lines around it when the source tree is given ({@code --src}); then
 * the functions it was inlined into, innermost first.
 */
final class SourceListCommand implements ShellCommand {
    private final List<Path> sourceDirs;
    private final List<Path> moduleDirs;

    SourceListCommand(List<Path> sourceDirs, List<Path> moduleDirs) {
        this.sourceDirs = sourceDirs;
        this.moduleDirs = moduleDirs;
    }

    @Override
    public String name() {
        return "list";
    }

    @Override
    public String synopsis() {
        return "list *(FUNC+0xOFF) | *ADDR   source line and inline chain of a code address (needs --vmlinux; text with --src)";
    }

    @Override
    public String example() {
        return "list *(schedule+0x10)    the source line (and inline chain) of schedule+0x10";
    }

    record Listing(@dev.kdive.value.Hex long address, List<SourceLines.Frame> frames, List<String> source) implements Output {
        @Override
        public void text(PrintWriter out) {
            SourceLines.Frame top = frames.getFirst();
            out.printf("0x%x is in %s (%s).%n", address, top.function(), top.file() == null ? "??" : top.file() + ":" + top.line());
            source.forEach(out::println);
            for (int i = 1; i < frames.size(); i++) {
                out.printf("  inlined into %s at %s%n", frames.get(i).function(), frames.get(i).location());
            }
        }

    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("list: give *ADDR or *(FUNC+0xOFF)");
        }
        String expr = String.join("", args).strip();
        if (expr.startsWith("*")) {
            expr = expr.substring(1);
        }
        if (expr.startsWith("(") && expr.endsWith(")")) {
            expr = expr.substring(1, expr.length() - 1);
        }
        // As an oops prints it: FUNC+0xOFF/0xLEN [module]
        long address = moduleAddress(p, expr.replaceFirst("\\s*\\[[\\w-]+\\]$", "").replaceFirst("/0x[0-9a-fA-F]+$", ""));
        if (Long.compareUnsigned(address, p.layout().modulesStart()) >= 0) {
            try {
                Optional<List<SourceLines.Frame>> frames = ModuleDebugFiles.of(p).frames(address, moduleDirs);
                if (frames.isEmpty()) {
                    throw new UsageException("list: " + Long.toHexString(address) + " is in no module whose .ko with DWARF is under --modules");
                }
                return new Listing(address, frames.get(), source(frames.get().getFirst()));
            } catch (IOException | DumpFormatException | DwarfException e) {
                throw new UsageException("list: " + e.getMessage());
            }
        }
        Optional<LongFunction<List<SourceLines.Frame>>> lines;
        try {
            lines = p.sourceLines();
        } catch (IOException | DumpFormatException e) {
            throw new UsageException("list: " + e.getMessage());
        }
        if (lines.isEmpty()) {
            throw new UsageException("list: source lines need the vmlinux with DWARF (--vmlinux, from the -dbg package)");
        }
        List<SourceLines.Frame> frames;
        try {
            frames = lines.get().apply(address);
        } catch (DwarfException e) {
            throw new UsageException("list: " + e.getMessage());
        }
        return new Listing(address, frames, source(frames.getFirst()));
    }

    /** FUNC+OFF may name a module function: the kernel's symbols, then every module's. */
    private static long moduleAddress(Program p, String expr) throws UsageException {
        try {
            return Args.address(p, "list", expr);
        } catch (UsageException e) {
            String name = expr.replaceFirst("[+-].*$", "");
            for (dev.kdive.kernel.Module m : Modules.of(p).modules()) {
                Optional<dev.kdive.symbols.Symbol> s = m.symbols().lookup(name);
                if (s.isPresent()) {
                    long off = expr.length() > name.length() ? Args.number("list", expr.substring(name.length() + 1)) : 0;
                    return s.get().address() + (expr.charAt(Math.min(name.length(), expr.length() - 1)) == '-' ? -off : off);
                }
            }
            throw e;
        }
    }

    /** gdb centres the listing: five lines before the line, four after. */
    private List<String> source(SourceLines.Frame f) {
        List<String> out = new ArrayList<>();
        if (f.file() == null || f.line() == 0) {
            return out;
        }
        Optional<Path> file = find(f.file());
        if (file.isEmpty()) {
            out.add(f.line() + "\t" + f.file() + ": No such file or directory.");
            return out;
        }
        try {
            List<String> text = Files.readAllLines(file.get(), StandardCharsets.ISO_8859_1);
            for (int n = Math.max(1, f.line() - 5); n <= Math.min(text.size(), f.line() + 4); n++) {
                out.add(n + "\t" + text.get(n - 1));
            }
        } catch (IOException e) {
            out.add(f.line() + "\t" + f.file() + ": " + e.getMessage());
        }
        return out;
    }

    /** The file under a --src directory: its path as DWARF names it, or the longest suffix that exists. */
    private Optional<Path> find(String dwarfPath) {
        if (dwarfPath.startsWith("/") && Files.isRegularFile(Path.of(dwarfPath))) {
            return Optional.of(Path.of(dwarfPath)); // gdb reads an absolute path where it is
        }
        String[] parts = dwarfPath.split("/");
        for (Path dir : sourceDirs) {
            for (int i = 0; i < parts.length; i++) {
                Path candidate = dir.resolve(String.join("/", java.util.Arrays.copyOfRange(parts, i, parts.length)));
                if (!parts[i].isEmpty() && Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
