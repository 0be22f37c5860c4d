package dev.kdive.cli.shell;

import dev.kdive.kernel.Modules;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code sym}: symbol to address and address to symbol+offset, as crash prints them. */
final class SymCommand implements ShellCommand {
    @Override
    public String name() {
        return "sym";
    }

    @Override
    public String synopsis() {
        return "sym [-l] NAME|ADDR... | -q STRING | -m MODULE   symbol to address, address to symbol+offset; -l all, -q names containing STRING, -m a module's";
    }

    @Override
    public String example() {
        return "sym schedule             the address of schedule()";
    }

    /** One answer line: the address, the symbol (if any), the offset into it, its module; or an error. */
    record Line(@dev.kdive.value.Hex long address, Optional<Symbol> symbol, long offset, String module, String error, String source) {
        Line(long address, Optional<Symbol> symbol, long offset, String error) {
            this(address, symbol, offset, null, error, null);
        }

        Line(long address, Optional<Symbol> symbol, long offset, String module, String error) {
            this(address, symbol, offset, module, error, null);
        }

        Line withSource(String where) {
            return new Line(address, symbol, offset, module, error, where);
        }
    }

    record Lines(List<Line> lines) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (Line l : lines) {
                if (l.error() != null) {
                    out.println("sym: " + l.error());
                } else {
                    Symbol s = l.symbol().orElseThrow();
                    out.printf("%x (%c) %s%s%s%s%n", l.address(), s.type(), s.name(), l.offset() == 0 ? "" : "+" + l.offset(),
                            l.module() == null ? "" : " [" + l.module() + "]", l.source() == null ? "" : " " + l.source());
                }
            }
        }

        @Override
        public Object json() {
            return lines;
        }
    }

    /** One part of a module in memory and the symbols in it; {@code area} is empty for a pre-6.4 module's one core layout. */
    record Section(String area, @dev.kdive.value.Hex long start, @dev.kdive.value.Hex long end, List<Symbol> symbols) {}

    /**
     * {@code sym -m}: a module's symbols between its start and end, as crash lists them; from 6.4 one
     * section per memory area (TEXT, DATA, RODATA, RO_AFTER_INIT), symbols in address order.
     */
    record ModuleSymbols(String module, List<Section> sections) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (Section sec : sections) {
                String label = sec.area().isEmpty() ? "MODULE" : "MODULE " + sec.area();
                out.printf("%x %s START: %s%n", sec.start(), label, module);
                sec.symbols().forEach(s -> out.printf("%x (%c) %s%n", s.address(), s.type(), s.name()));
                out.printf("%x %s END: %s%n", sec.end(), label, module);
            }
        }
    }

    private static ModuleSymbols moduleSymbols(dev.kdive.kernel.Module m) {
        if (!m.perType()) {
            return new ModuleSymbols(m.name(), List.of(new Section("", m.base(), m.base() + m.size(), m.symbols().all())));
        }
        List<Section> sections = new ArrayList<>();
        for (dev.kdive.kernel.Module.Area a : m.memory()) {
            if (a.size() == 0) {
                continue;
            }
            List<Symbol> in = m.symbols().all().stream().filter(s -> a.contains(s.address()))
                    .sorted(java.util.Comparator.comparing(Symbol::address, Long::compareUnsigned)).toList(); // stable: kallsyms order among equals
            sections.add(new Section(a.type().replaceFirst("^MOD_", ""), a.base(), a.base() + a.size(), in));
        }
        return new ModuleSymbols(m.name(), sections);
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("sym", raw, Set.of("-l"), Set.of("-q", "-m"));
        List<Line> lines = new ArrayList<>();
        if (args.value("-q").isPresent()) { // every symbol whose name holds the string: the kernel's, then each module's
            String q = args.value("-q").get();
            p.symbols().all().stream().filter(s -> s.name().contains(q)).forEach(s -> lines.add(new Line(s.address(), Optional.of(s), 0, null)));
            for (dev.kdive.kernel.Module m : Modules.of(p).modules()) {
                m.symbols().all().stream().filter(s -> s.name().contains(q))
                        .forEach(s -> lines.add(new Line(s.address(), Optional.of(s), 0, m.name(), null)));
            }
            return new Lines(lines);
        }
        if (args.value("-m").isPresent()) {
            String name = args.value("-m").get();
            dev.kdive.kernel.Module m = Modules.of(p).modules().stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElseThrow(() -> new UsageException("sym: no module " + name + " is loaded"));
            return moduleSymbols(m);
        }
        if (args.has("-l")) { // every symbol: no source lines, as crash's sym -l
            for (Symbol s : p.symbols().all()) {
                lines.add(new Line(s.address(), Optional.of(s), 0, null));
            }
            return new Lines(lines);
        }
        if (args.operands().isEmpty()) {
            throw new UsageException("sym: give a symbol name or an address");
        }
        for (String a : args.operands()) {
            if (Args.looksHex(a)) {
                long addr = Args.address(p, "sym", a);
                Optional<dev.kdive.kernel.Module> mod = Long.compareUnsigned(addr, p.layout().modulesStart()) >= 0
                        ? Modules.of(p).containing(addr) : Optional.empty();
                Optional<Symbol> s = mod.isPresent() ? mod.get().symbols().containing(addr) : p.symbols().containing(addr);
                lines.add(s.isPresent() ? new Line(addr, s, addr - s.get().address(), mod.map(dev.kdive.kernel.Module::name).orElse(null), null)
                        : new Line(addr, s, 0, "invalid address: " + a));
            } else {
                List<Symbol> all = p.symbols().lookupAll(a);
                if (all.isEmpty()) {
                    for (dev.kdive.kernel.Module m : Modules.of(p).modules()) {
                        for (Symbol s : m.symbols().lookupAll(a)) {
                            lines.add(new Line(s.address(), Optional.of(s), 0, m.name(), null));
                        }
                    }
                    if (lines.isEmpty() || lines.getLast().symbol().map(x -> !x.name().equals(a)).orElse(true)) {
                        lines.add(new Line(0, Optional.empty(), 0, "symbol not found: " + a));
                    }
                }
                for (Symbol s : all) {
                    lines.add(new Line(s.address(), Optional.of(s), 0, null));
                }
            }
        }
        return new Lines(withSource(p, lines));
    }

    /** crash appends the text address's source line, "FILE: LINE", when it has the vmlinux's DWARF. */
    private static List<Line> withSource(Program p, List<Line> lines) {
        java.util.function.LongFunction<List<dev.kdive.dwarf.SourceLines.Frame>> source;
        try {
            source = p.sourceLines().orElse(null);
        } catch (java.io.IOException | dev.kdive.dump.DumpFormatException e) {
            return lines;
        }
        if (source == null) {
            return lines;
        }
        List<Line> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.error() == null && l.module() == null && l.symbol().map(Symbol::isText).orElse(false)) {
                try {
                    var f = source.apply(l.address()).getFirst();
                    out.add(f.file() == null ? l : l.withSource(f.file() + ": " + f.line()));
                    continue;
                } catch (dev.kdive.dwarf.DwarfException e) {
                    // no line for this one; the symbol is still right
                }
            }
            out.add(l);
        }
        return out;
    }
}
