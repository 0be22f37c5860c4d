package dev.kdive.program;

import dev.kdive.symbols.Symbol;
import java.util.Optional;

/**
 * Symbols that live outside the kernel image (loaded modules), found by a higher layer and
 * registered with {@link Program#addSymbolFinder}, as drgn's symbol finders are.
 */
public interface SymbolFinder {
    /** {@return the symbol at or below {@code address}, when the address lies in what this finder knows} */
    Optional<Symbol> containing(long address);

    /** {@return the symbol named {@code name}} */
    Optional<Symbol> lookup(String name);
}
