package dev.kdive.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Symbols sorted by address, searchable both ways: {@code sym ADDR} (the nearest symbol at or below
 * an address) and {@code sym NAME}. Immutable.
 */
public final class SymbolTable {
    private final Symbol[] byAddress;
    private final long[] addresses;
    private final Map<String, Symbol> byName;
    private final String source;

    /** @param source where the symbols came from, for users: "kallsyms in the dump", "vmlinux .symtab" */
    public SymbolTable(List<Symbol> symbols, String source) {
        this.source = source;
        this.byAddress = symbols.toArray(Symbol[]::new);
        // unboxed: kallsyms and .symtab come (nearly) in address order, so this is one linear pass
        Arrays.sort(byAddress, (a, b) -> Long.compareUnsigned(a.address(), b.address()));
        this.addresses = Arrays.stream(byAddress).mapToLong(Symbol::address).toArray();
        this.byName = new HashMap<>(byAddress.length * 2);
        for (Symbol s : byAddress) {
            byName.merge(s.name(), s, (a, b) -> preferGlobal(a, b));
        }
    }

    /**
     * {@return the defined symbols of an ELF .symtab (sections and file names left out), each
     * address passed through {@code relocate} (the KASLR shift for a vmlinux, identity otherwise)}
     */
    public static SymbolTable of(dev.kdive.elf.ElfFile elf, java.util.function.LongUnaryOperator relocate)
            throws dev.kdive.dump.DumpFormatException {
        List<Symbol> syms = new ArrayList<>();
        for (dev.kdive.elf.ElfFile.ElfSymbol s : elf.symbols()) {
            if (s.shndx() != 0 && s.type() != 3 && s.type() != 4) { // defined; not STT_SECTION, STT_FILE
                syms.add(new Symbol(s.name(), relocate.applyAsLong(s.value()), s.size(), s.nmType()));
            }
        }
        return new SymbolTable(syms, elf.path() + " .symtab");
    }

    private static Symbol preferGlobal(Symbol a, Symbol b) {
        return Character.isLowerCase(a.type()) && Character.isUpperCase(b.type()) ? b : a;
    }

    public String source() {
        return source;
    }

    public int size() {
        return byAddress.length;
    }

    /** {@return every symbol, by address} */
    public List<Symbol> all() {
        return List.of(byAddress);
    }

    /** {@return the symbol of that name; a global one when locals share it} */
    public Optional<Symbol> lookup(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** {@return every symbol of that name, by address} */
    public List<Symbol> lookupAll(String name) {
        List<Symbol> out = new ArrayList<>();
        for (Symbol s : byAddress) {
            if (s.name().equals(name)) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * {@return the last symbol at or below {@code address}; among several at one address, the first
     * (in table order) whose known size covers it, else the first: a function is preferred to the
     * zero-size labels (_text, _stext) at its start, as crash does}. A symbol with a known size that
     * ends before the address does not count.
     */
    public Optional<Symbol> containing(long address) {
        int last = upperBound(address) - 1;
        if (last < 0) {
            return Optional.empty();
        }
        long at = addresses[last];
        int first = last;
        while (first > 0 && addresses[first - 1] == at) {
            first--;
        }
        for (int i = first; i <= last; i++) {
            Symbol s = byAddress[i];
            if (s.size() > 0 && Long.compareUnsigned(address - s.address(), s.size()) < 0) {
                return Optional.of(s);
            }
        }
        Symbol s = byAddress[first];
        if (s.size() > 0) {
            return Optional.empty(); // every sized symbol here ends before the address
        }
        return Optional.of(s);
    }

    /** {@return the first symbol above {@code address}: where kallsyms ends the symbol at it (its size in an oops is the distance)} */
    public Optional<Symbol> next(long address) {
        int i = upperBound(address);
        return i < byAddress.length ? Optional.of(byAddress[i]) : Optional.empty();
    }

    /** {@return the symbols at exactly {@code address}} */
    public List<Symbol> at(long address) {
        List<Symbol> out = new ArrayList<>();
        for (int i = upperBound(address) - 1; i >= 0 && addresses[i] == address; i--) {
            out.addFirst(byAddress[i]);
        }
        return out;
    }

    private int upperBound(long address) {
        int lo = 0;
        int hi = addresses.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
