package dev.kdive.oops;

import dev.kdive.value.Hex;

import dev.kdive.dump.DumpFormatException;
import dev.kdive.dwarf.DebugFile;
import dev.kdive.dwarf.DwarfException;
import dev.kdive.dwarf.SourceLines;
import dev.kdive.symbols.Symbol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Oops frames to source, as scripts/decode_stacktrace.sh and scripts/faddr2line do: each
 * {@code func+0xOFF/0xSIZE [module]} is looked up by name in the vmlinux's (or the module .ko's)
 * own symbol table, so no KASLR offset is needed, and mapped to file:line with its inline chain.
 * Where several symbols share the name (static functions), the one whose size the oops printed is
 * taken; a size no symbol of that name has means the file is not the build that crashed, and says so.
 * Return addresses (every trace frame but the RIP and exception RIPs) are looked up one byte back,
 * inside the call, so a call at a function's very end (a noreturn callee) is not read as the next function.
 */
public final class Symbolizer implements AutoCloseable {
    private final DebugFile vmlinux;
    private final List<Path> moduleDirs;
    private final Map<String, Optional<DebugFile>> modules = new HashMap<>();

    /**
     * A frame with its source: {@code lines} innermost inlined function first (the addr2line -i
     * chain); {@code warning} when the lookup was doubtful or failed.
     *
     * @param address the address looked up, in the file's own (unrelocated) addresses; 0 when not found
     */
    public record SourceFrame(Frame frame, @Hex long address, List<SourceLines.Frame> lines, String warning) {
        public SourceFrame {
            lines = List.copyOf(lines);
        }
    }

    /** A symbolizer over a vmlinux with DWARF (it closes it); module frames need their .ko (or .ko.debug) under {@code moduleDirs}. */
    public Symbolizer(DebugFile vmlinux, List<Path> moduleDirs) {
        this.vmlinux = vmlinux;
        this.moduleDirs = List.copyOf(moduleDirs);
    }

    /** {@return the RIP, then every symbolic frame of the call trace, with their source} */
    public List<SourceFrame> symbolize(OopsReport r) {
        List<SourceFrame> out = new ArrayList<>();
        if (r.rip() != null && r.rip().symbolic() && r.ring().orElse(0) == 0) {
            out.add(symbolize(r.rip(), false));
        }
        r.callTrace().ifPresent(t -> {
            for (Frame f : t.frames()) {
                if (f.symbolic()) {
                    out.add(symbolize(f, !f.exception()));
                }
            }
        });
        return out;
    }

    /** {@return one frame's source; {@code returnAddress} looks one byte back, inside the call instruction} */
    public SourceFrame symbolize(Frame f, boolean returnAddress) {
        DebugFile file;
        if (f.module() != null) {
            Optional<DebugFile> m;
            try {
                m = module(f.module());
            } catch (IOException | DumpFormatException | DwarfException e) {
                return new SourceFrame(f, 0, List.of(), f.module() + ": " + e.getMessage());
            }
            if (m.isEmpty()) {
                return new SourceFrame(f, 0, List.of(), "no " + f.module() + ".ko with DWARF under --modules");
            }
            file = m.get();
        } else {
            file = vmlinux;
        }
        List<Symbol> named = file.symbols().lookupAll(f.function()).stream().filter(Symbol::isText).toList();
        if (named.isEmpty()) {
            return new SourceFrame(f, 0, List.of(), f.function() + " is not in " + file.elf().path().getFileName());
        }
        Symbol sym = named.getFirst();
        String warning = null;
        if (f.size() != 0) {
            // kallsyms has no sizes: the kernel prints the distance to the next symbol, padding included
            Optional<Symbol> sized = named.stream().filter(s -> s.size() == f.size()
                    || file.symbols().next(s.address()).map(n -> n.address() - s.address() == f.size()).orElse(false)).findFirst();
            if (sized.isPresent()) {
                sym = sized.get();
            } else {
                Symbol first = sym;
                long span = file.symbols().next(first.address()).map(n -> n.address() - first.address()).orElse(first.size());
                warning = String.format("%s is 0x%x bytes in the oops but 0x%x in %s: not the build that crashed?",
                        f.function(), f.size(), span, file.elf().path().getFileName());
            }
        }
        long address = sym.address() + f.offset() - (returnAddress && f.offset() > 0 ? 1 : 0);
        try {
            return new SourceFrame(f, address, file.lines().frames(address), warning);
        } catch (DwarfException | IndexOutOfBoundsException e) {
            return new SourceFrame(f, address, List.of(), "DWARF: " + e.getMessage());
        }
    }

    private Optional<DebugFile> module(String name) throws IOException, DumpFormatException {
        Optional<DebugFile> m = modules.get(name);
        if (m == null) {
            m = DebugFile.openModule(name, moduleDirs);
            modules.put(name, m);
        }
        return m;
    }

    @Override
    public void close() {
        vmlinux.close();
        modules.values().forEach(m -> m.ifPresent(DebugFile::close));
    }
}
