package dev.kdive.kernel;

import dev.kdive.symbols.SymbolTable;

/**
 * A loaded module: its {@code struct module}, name, core text base and size, and the symbols the
 * kernel keeps for it ({@code mod->kallsyms}), already at their loaded addresses.
 */
public record Module(long address, String name, long base, long size, SymbolTable symbols) {
    public boolean contains(long addr) {
        return Long.compareUnsigned(addr - base, size) < 0;
    }
}
