package dev.kdive.cli.shell;

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
        return "mod                      loaded modules: struct module, name, base, size";
    }

    record Listing(dev.kdive.kernel.Modules.Walk walk) implements Output {
        @Override
        public void text(PrintWriter out) {
            int width = Math.max(12, walk.modules().stream().mapToInt(m -> m.name().length()).max().orElse(0));
            out.println(center("MODULE", 16) + "  " + String.format("%-" + width + "s", "NAME") + "  " + center("BASE", 16)
                    + "  " + String.format("%5s", "SIZE") + "  OBJECT FILE");
            // crash lists modules by the address of their struct module.
            List<Module> sorted = new ArrayList<>(walk.modules());
            sorted.sort((a, b) -> Long.compareUnsigned(a.address(), b.address()));
            for (Module m : sorted) {
                out.printf("%16x  %-" + width + "s  %16x  %5d  (not loaded)  [CONFIG_KALLSYMS]%n", m.address(), m.name(), m.base(), m.size());
            }
            walk.problems().forEach(p -> out.println("mod: " + p));
        }

        private static String center(String s, int width) {
            int left = (width - s.length()) / 2;
            return " ".repeat(left) + s + " ".repeat(width - s.length() - left);
        }

        @Override
        public Object json() {
            List<Object> list = new ArrayList<>();
            for (Module m : walk.modules()) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("module", Hex.of(m.address()));
                j.put("name", m.name());
                j.put("base", Hex.of(m.base()));
                j.put("size", m.size());
                j.put("symbols", m.symbols().size());
                list.add(j);
            }
            return Map.of("modules", list, "problems", walk.problems());
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("mod: options (-s, -S, -d) need module object files, which kdive does not load yet");
        }
        return new Listing(p.modules());
    }
}
