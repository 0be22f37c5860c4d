package dev.kdive.symbols;

/**
 * A named address, as nm and /proc/kallsyms show it.
 *
 * @param type nm's type letter: T/t text, D/d data, B/b bss, R/r read-only, A absolute, W/w weak, ...
 * @param size bytes the symbol covers; from the ELF symbol table, or up to the next symbol for kallsyms
 */
public record Symbol(String name, long address, long size, char type) {
    /** {@return whether the symbol is code} */
    public boolean isText() {
        return type == 'T' || type == 't' || type == 'W' || type == 'w';
    }
}
