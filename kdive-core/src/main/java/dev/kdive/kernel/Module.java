package dev.kdive.kernel;

import dev.kdive.symbols.SymbolTable;
import java.util.List;

/**
 * A loaded module: its {@code struct module}, name, memory and the symbols the kernel keeps for
 * it ({@code mod->kallsyms}), already at their loaded addresses. Its memory is one area before
 * 6.4 ({@code core_layout}: text, then rodata and data) and one per type since
 * ({@code mem[MOD_TEXT]}, {@code mem[MOD_DATA]}, ...; kernel/module/main.c), each allocated apart.
 *
 * @param memory  the areas in the kernel's order, the text first; empty ones left out
 * @param perType whether the kernel keeps one area per type (6.4+: crash heads the column TEXT_BASE)
 */
public record Module(long address, String name, List<Area> memory, boolean perType, SymbolTable symbols) {
    /** One memory area: {@code core_layout}, or a {@code struct module_memory} named by its {@code enum mod_mem_type}. */
    public record Area(String type, long base, long size) {
        public boolean contains(long addr) {
            return Long.compareUnsigned(addr - base, size) < 0;
        }
    }

    public Module {
        memory = List.copyOf(memory);
        if (memory.isEmpty()) {
            throw new IllegalArgumentException("module " + name + " has no memory area");
        }
    }

    /** {@return the text area: core_layout before 6.4, mem[MOD_TEXT] since} */
    public Area text() {
        return memory.getFirst();
    }

    /** {@return the text's base, where crash's mod shows the module} */
    public long base() {
        return text().base();
    }

    /** {@return the bytes of every area together, as crash's mod SIZE counts them} */
    public long size() {
        return memory.stream().mapToLong(Area::size).sum();
    }

    /** {@return whether the address lies in any of the module's areas} */
    public boolean contains(long addr) {
        return memory.stream().anyMatch(a -> a.contains(addr));
    }
}
