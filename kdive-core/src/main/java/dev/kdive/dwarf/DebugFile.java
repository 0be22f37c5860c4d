package dev.kdive.dwarf;

import dev.kdive.dump.DumpFormatException;
import dev.kdive.elf.ElfFile;
import dev.kdive.symbols.Symbol;
import dev.kdive.symbols.SymbolTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An ELF object with DWARF, a vmlinux or a module .ko (relocated: its sections placed as kdive
 * places them), opened for code address → source: its own symbol table and its source lines, the
 * lines falling back to the symbol covering an address where no subprogram does (as addr2line).
 */
public final class DebugFile implements AutoCloseable {
    private final ElfFile elf;
    private final SymbolTable symbols;
    private final SourceLines lines;

    private DebugFile(ElfFile elf, Dwarf dwarf) throws DumpFormatException {
        this.elf = elf;
        this.symbols = SymbolTable.of(elf, a -> a);
        this.lines = new SourceLines(dwarf, a -> symbols.containing(a).filter(Symbol::isText).map(Symbol::name).orElse(null));
    }

    /** {@return the file opened, or empty when it has no .debug_info (then it is closed again)} */
    public static Optional<DebugFile> open(Path path) throws IOException, DumpFormatException {
        ElfFile elf = ElfFile.open(path);
        try {
            Optional<Dwarf> dwarf = Dwarf.of(elf);
            if (dwarf.isEmpty()) {
                elf.close();
                return Optional.empty();
            }
            return Optional.of(new DebugFile(elf, dwarf.get()));
        } catch (DumpFormatException | RuntimeException e) {
            elf.close();
            throw e;
        }
    }

    public ElfFile elf() {
        return elf;
    }

    /** {@return the file's .symtab, at the file's own addresses} */
    public SymbolTable symbols() {
        return symbols;
    }

    public SourceLines lines() {
        return lines;
    }

    /**
     * {@return NAME.ko or NAME.ko.debug under each directory (module names use '_' where file names
     * may use '-'); a directory entry may also be the file itself}
     */
    public static List<Path> moduleFiles(String name, List<Path> dirs) throws IOException {
        List<Path> found = new ArrayList<>();
        // a HashSet: the names repeat when the module name has no '_'
        Set<String> wanted = new java.util.HashSet<>(List.of(name + ".ko", name.replace('_', '-') + ".ko",
                name + ".ko.debug", name.replace('_', '-') + ".ko.debug"));
        for (Path d : dirs) {
            if (Files.isRegularFile(d) && wanted.contains(d.getFileName().toString())) {
                found.add(d);
                continue;
            }
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (var walk = Files.walk(d, 8)) {
                walk.filter(f -> wanted.contains(f.getFileName().toString())).forEach(found::add);
            }
        }
        return found;
    }

    /** {@return the first of the module's files under {@code dirs} that has DWARF, opened} */
    public static Optional<DebugFile> openModule(String name, List<Path> dirs) throws IOException, DumpFormatException {
        for (Path f : moduleFiles(name, dirs)) {
            Optional<DebugFile> d = open(f);
            if (d.isPresent()) {
                return d;
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        elf.close();
    }
}
