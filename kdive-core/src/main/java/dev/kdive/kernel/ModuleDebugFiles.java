package dev.kdive.kernel;

import dev.kdive.dump.DumpFormatException;
import dev.kdive.dwarf.DebugFile;
import dev.kdive.dwarf.SourceLines;
import dev.kdive.elf.ElfFile;
import dev.kdive.program.Program;
import dev.kdive.symbols.Symbol;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The object files (.ko, .ko.debug) of loaded modules, for their source lines: given by crash's
 * {@code mod -s NAME FILE}, or found by name under the directories a command names. One set per
 * program, closed with it.
 */
public final class ModuleDebugFiles implements Program.Resource {
    private final Program program;
    private final Map<String, Optional<DebugFile>> byModule = new HashMap<>();
    private final List<DebugFile> open = new ArrayList<>();
    private final List<Path> searched = new ArrayList<>();

    private ModuleDebugFiles(Program program) {
        this.program = program;
    }

    /** {@return the program's module object files} */
    public static ModuleDebugFiles of(Program p) {
        return p.cached(ModuleDebugFiles.class, () -> new ModuleDebugFiles(p));
    }

    /**
     * {@return the frames of a code address inside a loaded module, from the module's own .ko (or
     * .ko.debug) given with {@link #load} or found by name under {@link #searchIn} and {@code extra}: the dump's symbol for
     * the address and its offset are looked up in the .ko's symbol table, whose sections kdive
     * places and relocates; empty when the address is in no module or no matching file with DWARF
     * is found}
     */
    /**
     * Adds directories (or .ko files) where every later lookup looks for a module's object file by
     * name, as {@code kdive analyze --modules DIR} and {@code kdive oops --modules} give them.
     */
    public synchronized void searchIn(List<Path> dirs) {
        searched.addAll(dirs);
        byModule.values().removeIf(Optional::isEmpty); // a module not found before may be found now
    }

    public synchronized Optional<List<SourceLines.Frame>> frames(long address, List<Path> extra) throws IOException, DumpFormatException {
        List<Path> dirs = new ArrayList<>(searched);
        dirs.addAll(extra);
        Optional<Module> mod = Modules.of(program).containing(address);
        if (mod.isEmpty()) {
            return Optional.empty();
        }
        Optional<Symbol> sym = mod.get().symbols().containing(address);
        if (sym.isEmpty()) {
            return Optional.empty();
        }
        String name = mod.get().name();
        if (!byModule.containsKey(name) || byModule.get(name).isEmpty() && !dirs.isEmpty()) {
            Optional<DebugFile> file = DebugFile.openModule(name, dirs);
            file.ifPresent(open::add);
            byModule.put(name, file);
        }
        Optional<DebugFile> lines = byModule.get(name);
        Optional<Symbol> inFile = lines.flatMap(l -> l.symbols().lookup(sym.get().name()));
        if (inFile.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(lines.get().lines().frames(inFile.get().address() + (address - sym.get().address())));
    }

    /**
     * Takes {@code file} as the object file of the loaded module {@code name} (crash's {@code mod -s}):
     * later source lookups of that module's addresses use its DWARF.
     *
     * @return the loaded module
     * @throws DumpFormatException when no such module is loaded, the file has no DWARF, or none of
     *         the module's functions is in the file (another module or build)
     */
    public synchronized Module load(String name, Path file) throws IOException, DumpFormatException {
        Module mod = Modules.of(program).modules().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new DumpFormatException(file, 0, "no module named " + name + " is loaded in the dump"));
        try (ElfFile elf = ElfFile.open(file)) {
            // The module's own name is in .modinfo as "name=..." (scripts/mod/modpost.c), NUL-separated.
            Optional<ElfFile.Section> modinfo = elf.section(".modinfo");
            if (modinfo.isPresent()) {
                String info = new String(elf.contents(modinfo.get()).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
                for (String field : info.split("\u0000")) {
                    if (field.startsWith("name=") && !field.substring(5).equals(name)) {
                        throw new DumpFormatException(file, modinfo.get().offset(), "the object file of module " + name
                                + ", but its .modinfo names " + field.substring(5));
                    }
                }
            }
        }
        DebugFile lines = DebugFile.open(file)
                .orElseThrow(() -> new DumpFormatException(file, 0, "no DWARF debug info (.debug_info) in the file"));
        List<Symbol> text = mod.symbols().all().stream().filter(Symbol::isText).toList();
        long shared = text.stream().filter(s -> lines.symbols().lookup(s.name()).isPresent()).count();
        if (shared * 2 < text.size()) {
            lines.close();
            throw new DumpFormatException(file, 0, "the functions of module " + name + " (" + shared + " of " + text.size()
                    + " found here): another module or build");
        }
        open.add(lines);
        byModule.put(name, Optional.of(lines));
        return mod;
    }

    @Override
    public synchronized void close() {
        open.forEach(DebugFile::close);
        open.clear();
    }
}
