package dev.kdive.symbols;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Symbols sorted by address, searchable both ways: {@code sym ADDR} (the nearest symbol at or below
 * an address) and {@code sym NAME}. Immutable. The symbols are held in memory, or read in place
 * from a {@link SymbolIndex} file, where a lookup touches a few entries and decodes none of the rest.
 */
public final class SymbolTable {
    private final Entries entries;
    private final String source;

    /** The symbols in address order, and the index of the one a name stands for. */
    interface Entries {
        int size();

        long address(int i);

        Symbol symbol(int i);

        boolean named(int i, String name);

        /** {@return the entry the name stands for (a global one when locals share it), or -1} */
        int find(String name);
    }

    /** @param source where the symbols came from, for users: "kallsyms in the dump", "vmlinux .symtab" */
    public SymbolTable(List<Symbol> symbols, String source) {
        this(new InMemory(symbols), source);
    }

    SymbolTable(Entries entries, String source) {
        this.entries = entries;
        this.source = source;
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

    /** {@return which of two symbols of one name a name lookup gives: the global one, else the first} */
    static boolean preferred(char existing, char other) {
        return !(Character.isLowerCase(existing) && Character.isUpperCase(other));
    }

    public String source() {
        return source;
    }

    public int size() {
        return entries.size();
    }

    /** {@return every symbol, by address (made as they are read)} */
    public List<Symbol> all() {
        return new AbstractList<>() {
            @Override
            public Symbol get(int i) {
                return entries.symbol(i);
            }

            @Override
            public int size() {
                return entries.size();
            }
        };
    }

    /** {@return the symbol of that name; a global one when locals share it} */
    public Optional<Symbol> lookup(String name) {
        int i = entries.find(name);
        return i < 0 ? Optional.empty() : Optional.of(entries.symbol(i));
    }

    /** {@return every symbol of that name, by address} */
    public List<Symbol> lookupAll(String name) {
        List<Symbol> out = new ArrayList<>();
        if (entries.find(name) < 0) {
            return out;
        }
        for (int i = 0, n = entries.size(); i < n; i++) {
            if (entries.named(i, name)) {
                out.add(entries.symbol(i));
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
        long at = entries.address(last);
        int first = last;
        while (first > 0 && entries.address(first - 1) == at) {
            first--;
        }
        for (int i = first; i <= last; i++) {
            Symbol s = entries.symbol(i);
            if (s.size() > 0 && Long.compareUnsigned(address - s.address(), s.size()) < 0) {
                return Optional.of(s);
            }
        }
        Symbol s = entries.symbol(first);
        if (s.size() > 0) {
            return Optional.empty(); // every sized symbol here ends before the address
        }
        return Optional.of(s);
    }

    /** {@return the first symbol above {@code address}: where kallsyms ends the symbol at it (its size in an oops is the distance)} */
    public Optional<Symbol> next(long address) {
        int i = upperBound(address);
        return i < entries.size() ? Optional.of(entries.symbol(i)) : Optional.empty();
    }

    /** {@return the symbols at exactly {@code address}} */
    public List<Symbol> at(long address) {
        List<Symbol> out = new ArrayList<>();
        for (int i = upperBound(address) - 1; i >= 0 && entries.address(i) == address; i--) {
            out.addFirst(entries.symbol(i));
        }
        return out;
    }

    private int upperBound(long address) {
        int lo = 0;
        int hi = entries.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(entries.address(mid), address) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Symbols held as records; the name index is made at the first lookup by name. */
    private static final class InMemory implements Entries {
        private final Symbol[] byAddress;
        private final long[] addresses;
        private volatile Map<String, Integer> byName;

        InMemory(List<Symbol> symbols) {
            this.byAddress = symbols.toArray(Symbol[]::new);
            // unboxed: kallsyms and .symtab come (nearly) in address order, so this is one linear pass
            Arrays.sort(byAddress, (a, b) -> Long.compareUnsigned(a.address(), b.address()));
            this.addresses = Arrays.stream(byAddress).mapToLong(Symbol::address).toArray();
        }

        @Override
        public int size() {
            return byAddress.length;
        }

        @Override
        public long address(int i) {
            return addresses[i];
        }

        @Override
        public Symbol symbol(int i) {
            return byAddress[i];
        }

        @Override
        public boolean named(int i, String name) {
            return byAddress[i].name().equals(name);
        }

        @Override
        public int find(String name) {
            Map<String, Integer> m = byName;
            if (m == null) {
                m = new HashMap<>(byAddress.length * 2);
                for (int i = 0; i < byAddress.length; i++) {
                    Integer old = m.get(byAddress[i].name());
                    if (old == null || !preferred(byAddress[old].type(), byAddress[i].type())) {
                        m.put(byAddress[i].name(), i);
                    }
                }
                byName = m;
            }
            Integer i = m.get(name);
            return i == null ? -1 : i;
        }
    }
}
