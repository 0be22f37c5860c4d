package dev.kdive.cli;

import dev.kdive.cli.shell.Json;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.dwarf.DebugFile;
import dev.kdive.dwarf.DwarfException;
import dev.kdive.dwarf.SourceLines;
import dev.kdive.elf.ElfFile;
import dev.kdive.symbols.Symbol;
import dev.kdive.symbols.SymbolTable;
import dev.kdive.value.Hex;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
 * {@code kdive addr2line}: binutils' addr2line over a vmlinux's DWARF, same flags and output
 * shape ({@code -f} function names, {@code -i} the inline chain, {@code -a} the address first);
 * an address may also be {@code function+0xOFF}, as in an oops line.
 */
@Command(name = "addr2line", description = "Map kernel code addresses (or FUNC+0xOFF) to function, file:line and inline chain.")
final class Addr2lineCommand implements Callable<Integer> {
    @Option(names = {"--vmlinux", "-e", "--exe"}, required = true, paramLabel = "FILE", description = "vmlinux (or .ko) with DWARF")
    Path vmlinux;

    @Option(names = {"-f", "--functions"}, description = "show function names")
    boolean functions;

    @Option(names = {"-i", "--inlines"}, description = "unwind inlined functions: the whole chain, innermost first")
    boolean inlines;

    @Option(names = {"-a", "--addresses"}, description = "show each address before its answer")
    boolean addresses;

    @Option(names = {"-j", "--section"}, paramLabel = "NAME",
            description = "addresses are offsets into this section (binutils -j; for a module .ko: -j .text)")
    String section;

    @Option(names = "--json", description = "one JSON object per address: the input, the address and its frames (function, file, line)")
    boolean json;

    /**
     * One address's answer.
     *
     * @param frames the function and source position, innermost (inlined) first; the first alone without -i
     * @param error  why there is no answer (an unknown symbol, malformed DWARF); else null
     */
    record Answer(String input, @Hex Long address, List<SourceLines.Frame> frames, String error) {}

    @Parameters(paramLabel = "ADDR", arity = "0..*", description = "hex addresses or FUNC+0xOFF; read from standard input when none")
    List<String> addrs = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        Optional<DebugFile> debug = openWithDwarf(vmlinux);
        if (debug.isEmpty()) {
            return 1;
        }
        try (DebugFile file = debug.get()) {
            ElfFile elf = file.elf();
            SymbolTable table = file.symbols();
            SourceLines lines = file.lines();
            if (section != null) {
                ElfFile.Section s = elf.section(section).orElse(null);
                if (s == null) {
                    System.err.println("kdive: " + vmlinux + ": no section " + section);
                    return 1;
                }
                sectionBase = elf.sectionAddress(s.index());
            }
            if (addrs.isEmpty()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    answer(l.strip(), table, lines, out);
                    out.flush();
                }
            } else {
                for (String a : addrs) {
                    answer(a, table, lines, out);
                }
            }
            out.flush();
            return 0;
        } catch (DwarfException e) {
            System.err.println("kdive: " + vmlinux + ": " + e.getMessage());
        }
        return 1;
    }

    private long sectionBase;

    /** {@return a vmlinux or .ko with DWARF, opened; empty after saying on standard error why it cannot be} */
    static Optional<DebugFile> openWithDwarf(Path file) throws IOException {
        try {
            Optional<DebugFile> d = DebugFile.open(file);
            if (d.isEmpty()) {
                System.err.println("kdive: " + file + ": no .debug_info (a stripped vmlinux? use the -dbg package's)");
            }
            return d;
        } catch (NoSuchFileException e) {
            System.err.println("kdive: " + file + ": no such file");
        } catch (DumpFormatException | DwarfException e) {
            System.err.println("kdive: " + file + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    private void answer(String arg, SymbolTable table, SourceLines lines, PrintWriter out) throws IOException {
        if (arg.isEmpty()) {
            return;
        }
        Answer a = answer(arg, table, lines);
        if (json) {
            out.println(Json.mapper().writeValueAsString(a));
            return;
        }
        if (a.address() == null) {
            out.println("kdive: " + a.error());
            return;
        }
        if (addresses) {
            out.printf("0x%016x%n", a.address());
        }
        if (a.error() != null) {
            out.println("kdive: " + vmlinux + ": " + a.error());
            return;
        }
        for (SourceLines.Frame f : a.frames()) {
            if (functions) {
                out.println(f.function());
            }
            out.println(f.location());
        }
    }

    private Answer answer(String arg, SymbolTable table, SourceLines lines) {
        long address;
        try {
            address = parse(arg, table);
            if (section != null && !arg.contains("+")) {
                address += sectionBase;
            }
        } catch (IllegalArgumentException e) {
            return new Answer(arg, null, List.of(), e.getMessage());
        }
        try {
            List<SourceLines.Frame> frames = lines.frames(address);
            return new Answer(arg, address, inlines ? frames : frames.subList(0, Math.min(1, frames.size())), null);
        } catch (DwarfException e) {
            return new Answer(arg, address, List.of(), e.getMessage());
        }
    }

    /** hex (binutils reads hex, 0x optional), or FUNC+0xOFF[/0xLEN] as an oops prints it */
    static long parse(String a, SymbolTable table) {
        String s = a.replaceFirst("/0x[0-9a-fA-F]+$", "");
        int plus = s.indexOf('+');
        if (plus > 0) {
            Symbol sym = table.lookup(s.substring(0, plus))
                    .orElseThrow(() -> new IllegalArgumentException("no symbol " + s.substring(0, s.indexOf('+'))));
            String off = s.substring(plus + 1);
            return sym.address() + (off.startsWith("0x") ? Long.parseUnsignedLong(off.substring(2), 16) : Long.parseLong(off));
        }
        try {
            return Long.parseUnsignedLong(s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s, 16);
        } catch (NumberFormatException e) {
            Optional<Symbol> sym = table.lookup(s);
            return sym.orElseThrow(() -> new IllegalArgumentException("not an address or symbol: " + a)).address();
        }
    }
}
