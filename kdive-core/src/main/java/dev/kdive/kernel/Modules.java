package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.Unavailable;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.SymbolFinder;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.symbols.Symbol;
import dev.kdive.symbols.SymbolTable;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The modules list ({@code modules}, linked through {@code module.list}; kernel/module/main.c),
 * each module's memory (6.1: {@code core_layout.base/size}; 6.4+: every {@code mem[type]}) and its
 * symbols from {@code mod->kallsyms}: an Elf64_Sym array, its string table and, since 5.x, a
 * type table of nm letters. Layout differences are told apart by the dump's own types.
 */
public final class Modules {
    private static final int LIMIT = 65536;
    private static final int ELF64_SYM = 24;

    /** The modules found, and what interrupted the walk. */
    public record Walk(List<Module> modules, List<Finding> findings) {
        public Optional<Module> containing(long address) {
            return modules.stream().filter(m -> m.contains(address)).findFirst();
        }

        /** {@return a module symbol by name (modules in list order; "module:name" is not parsed)} */
        public Optional<Symbol> lookup(String name) {
            return modules.stream().map(m -> m.symbols().lookup(name)).flatMap(Optional::stream).findFirst();
        }

        /** {@return the module symbol at or below an address inside a module} */
        public Optional<Symbol> symbol(long address) {
            return containing(address).flatMap(m -> m.symbols().containing(address));
        }
    }

    private Modules() {
    }

    /**
     * {@return the loaded modules with their symbols, read once per program; an empty walk naming
     * the reason when the dump's types or the list cannot be read}
     */
    public static Walk of(Program p) {
        return p.cached(Walk.class, () -> {
            try {
                return walk(p);
            } catch (TypeException e) {
                return new Walk(List.of(), List.of(new Unavailable("modules", e.getMessage())));
            }
        });
    }

    /** {@return the modules' kallsyms as a symbol finder of the program, read on first use} */
    static SymbolFinder finder(Program p) {
        return new SymbolFinder() {
            @Override
            public Optional<Symbol> containing(long address) {
                return of(p).symbol(address);
            }

            @Override
            public Optional<Symbol> lookup(String name) {
                return of(p).lookup(name);
            }
        };
    }

    static Walk walk(Program p) {
        List<Module> modules = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        long head;
        try {
            head = p.address("modules");
        } catch (UnknownSymbolException e) {
            return new Walk(modules, List.of(new Unavailable("modules", e.getMessage())));
        }
        Type.Struct type = (Type.Struct) p.types().lookup("struct module").orElseThrow();
        Lists.Walk list = Lists.listForEachEntry(p, "modules", head, new KernelObject(p, type, 0).member("list").offset(), LIMIT);
        findings.addAll(list.findings());
        for (long address : list.entries()) {
            KernelObject m = new KernelObject(p, type, address);
            try {
                modules.add(module(p, m));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("module at " + Long.toHexString(address), f));
            }
        }
        return new Walk(List.copyOf(modules), List.copyOf(findings));
    }

    private static Module module(Program p, KernelObject m) throws MemoryFault {
        String name = m.string("name");
        List<Module.Area> memory = new ArrayList<>();
        boolean perType = m.struct().member("core_layout").isEmpty();
        if (!perType) {
            memory.add(new Module.Area("core", m.read("core_layout.base"), m.read("core_layout.size")));
        } else { // 6.4+: struct module_memory mem[MOD_MEM_NUM_TYPES], indexed by enum mod_mem_type, MOD_TEXT first
            Type.Member mem = m.member("mem");
            Type memType = mem.type().get().resolved();
            long count = memType instanceof Type.Array a ? a.length() : 1;
            long stride = memType instanceof Type.Array a ? a.element().get().resolved().size() : memType.size();
            List<Type.Enumerator> types = p.types().lookup("enum mod_mem_type")
                    .map(t -> t instanceof Type.Enum e ? e.values() : List.<Type.Enumerator>of()).orElse(List.of());
            for (int i = 0; i < count; i++) {
                KernelObject area = KernelObject.at(p, "module_memory", m.address() + mem.offset() + i * stride);
                long size = area.read("size");
                if (size != 0 || i == 0) {
                    int index = i;
                    String type = types.stream().filter(e -> e.value() == index).map(Type.Enumerator::name).findFirst().orElse("mem[" + i + "]");
                    memory.add(new Module.Area(type, area.read("base"), size));
                }
            }
        }
        return new Module(m.address(), name, memory, perType, symbols(p, m, name));
    }

    private static SymbolTable symbols(Program p, KernelObject m, String module) throws MemoryFault {
        List<Symbol> out = new ArrayList<>();
        long ks = m.read("kallsyms");
        if (ks != 0) {
            KernelObject k = KernelObject.at(p, "mod_kallsyms", ks);
            long symtab = k.read("symtab");
            int n = (int) Math.min(k.read("num_symtab"), 1 << 20);
            long strtab = k.read("strtab");
            long typetab = k.struct().member("typetab").isPresent() ? k.read("typetab") : 0;
            ByteBuffer syms = ByteBuffer.wrap(p.kernel().read(symtab, n * ELF64_SYM)).order(ByteOrder.LITTLE_ENDIAN);
            byte[] types = typetab != 0 ? p.kernel().read(typetab, n) : null;
            for (int i = 1; i < n; i++) {
                int at = i * ELF64_SYM;
                long nameOff = Integer.toUnsignedLong(syms.getInt(at));
                int shndx = Short.toUnsignedInt(syms.getShort(at + 6));
                long value = syms.getLong(at + 8);
                long size = syms.getLong(at + 16);
                if (shndx == 0 || value == 0) {
                    continue;
                }
                String name = p.kernel().cstring(strtab + nameOff, 256);
                if (name.isEmpty()) {
                    continue;
                }
                char type = types != null ? (char) (types[i] & 0xff) : 't';
                out.add(new Symbol(name, value, size, type));
            }
        }
        return new SymbolTable(out, module + " kallsyms in the dump");
    }
}
