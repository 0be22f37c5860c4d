package dev.kdive.cli.shell;

import dev.kdive.kernel.ModuleDebugFiles;
import dev.kdive.kernel.Modules;
import dev.kdive.kernel.Module;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code mod}: the loaded modules in crash's layout; symbols come from the dump's own module kallsyms. */
final class ModCommand implements ShellCommand {
    @Override
    public String name() {
        return "mod";
    }

    @Override
    public String synopsis() {
        return "mod [-s NAME FILE]       loaded modules: struct module, name, base, size; -s takes FILE as NAME's object file (DWARF lines)";
    }

    @Override
    public String example() {
        return "mod | grep ext4          whether ext4 is loaded, and where";
    }

    /** Object files given with mod -s, by module name. */
    private final Map<String, java.nio.file.Path> files = new LinkedHashMap<>();
    private Program program;

    /** One module as data, for JSON: where its struct module and memory are, how many symbols, its object file. */
    record ModuleData(@dev.kdive.value.Hex long module, String name, @dev.kdive.value.Hex long base, long size, List<Area> memory,
                      int symbols, String objectFile) {}

    /** One memory area of a module. */
    record Area(String type, @dev.kdive.value.Hex long base, long size) {}

    record ModuleList(List<ModuleData> modules, List<dev.kdive.finding.Finding> findings) {}

    record Listing(dev.kdive.kernel.Modules.Walk walk, Map<String, java.nio.file.Path> files) implements Output {
        @Override
        public void text(PrintWriter out) {
            int width = Math.max(12, walk.modules().stream().mapToInt(m -> m.name().length()).max().orElse(0));
            // crash heads it TEXT_BASE where modules have one area per type (6.4+), BASE before
            boolean perType = !walk.modules().isEmpty() && walk.modules().getFirst().perType();
            out.println(center("MODULE", 16) + "  " + String.format("%-" + width + "s", "NAME") + "  " + center(perType ? "TEXT_BASE" : "BASE", 16)
                    + "  " + String.format("%5s", "SIZE") + "  OBJECT FILE");
            // crash lists modules by their text base. (Before 6.4 struct module lies in the module's own
            // core_layout, so that is also the order of the struct modules; since, it is in mem[MOD_DATA].)
            List<Module> sorted = new ArrayList<>(walk.modules());
            sorted.sort((a, b) -> a.base() != b.base() ? Long.compareUnsigned(a.base(), b.base()) : Long.compareUnsigned(a.address(), b.address()));
            for (Module m : sorted) {
                java.nio.file.Path f = files.get(m.name());
                out.printf("%16x  %-" + width + "s  %16x  %5d  %s%n", m.address(), m.name(), m.base(), m.size(),
                        f != null ? f : "(not loaded)  [CONFIG_KALLSYMS]");
            }
            walk.findings().forEach(f -> out.println("mod: " + f.summary()));
        }

        private static String center(String s, int width) {
            int left = (width - s.length()) / 2;
            return " ".repeat(left) + s + " ".repeat(width - s.length() - left);
        }

        @Override
        public Object json() {
            return new ModuleList(walk.modules().stream().map(m -> new ModuleData(m.address(), m.name(), m.base(), m.size(),
                    m.memory().stream().map(a -> new Area(a.type(), a.base(), a.size())).toList(), m.symbols().size(),
                    files.containsKey(m.name()) ? files.get(m.name()).toString() : null)).toList(), walk.findings());
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (program != p) {
            files.clear();
            program = p;
        }
        if (args.isEmpty()) {
            return new Listing(Modules.of(p), Map.copyOf(files));
        }
        if (args.size() != 3 || !args.getFirst().equals("-s")) {
            throw new UsageException("mod: usage: mod [-s NAME FILE]");
        }
        java.nio.file.Path file = java.nio.file.Path.of(args.get(2));
        try {
            Module m = ModuleDebugFiles.of(p).load(args.get(1), file);
            files.put(m.name(), file.toAbsolutePath());
            return new Listing(new dev.kdive.kernel.Modules.Walk(List.of(m), List.of()), Map.copyOf(files));
        } catch (java.io.IOException | dev.kdive.dump.DumpFormatException e) {
            throw new UsageException("mod: " + e.getMessage());
        }
    }
}
