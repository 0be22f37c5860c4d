package dev.kdive.program;

import dev.kdive.arch.AddressSpace;
import dev.kdive.arch.x86_64.CpuState;
import dev.kdive.arch.x86_64.KernelLayout;
import dev.kdive.arch.x86_64.PageTables;
import dev.kdive.dump.DumpFile;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.dump.PhysicalMemory;
import dev.kdive.dump.UserCache;
import dev.kdive.dump.Vmcoreinfo;
import dev.kdive.elf.ElfFile;
import dev.kdive.symbols.Kallsyms;
import dev.kdive.symbols.Symbol;
import dev.kdive.symbols.SymbolIndex;
import dev.kdive.symbols.SymbolTable;
import dev.kdive.types.Btf;
import dev.kdive.types.TypeException;
import dev.kdive.types.TypeTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A crashed kernel as kdive sees it: the dump's memory, the kernel's address space and its
 * symbols. Opening one needs nothing but the dump (VMCOREINFO locates the page tables and the
 * kallsyms tables); a vmlinux, when given, supplies exact symbol sizes. What could not be
 * worked out is kept in {@link #warnings()}, not thrown.
 */
public final class Program implements AutoCloseable {
    private final DumpFile dump;
    private final PhysicalMemory memory;
    private final Map<String, String> vmcoreinfo;
    private final List<CpuState> cpus;
    private final PageTables kernel;
    private final KernelLayout layout;
    private final SymbolTable symbols;
    private final List<String> warnings;
    private final Optional<Path> vmlinux;
    private TypeTable types;
    private String typesUnavailable;
    private final List<SymbolFinder> symbolFinders = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<Object, Object> cache = new java.util.concurrent.ConcurrentHashMap<>();
    private ElfFile debugElf;
    private java.util.function.Consumer<String> progress = message -> { };
    private dev.kdive.dwarf.SourceLines sourceLines;

    private Program(DumpFile dump, PhysicalMemory memory, Map<String, String> vmcoreinfo, List<CpuState> cpus,
                    PageTables kernel, KernelLayout layout, SymbolTable symbols, List<String> warnings,
                    Optional<Path> vmlinux) {
        this.vmlinux = vmlinux;
        this.dump = dump;
        this.memory = memory;
        this.vmcoreinfo = vmcoreinfo;
        this.cpus = cpus;
        this.kernel = kernel;
        this.layout = layout;
        this.symbols = symbols;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Opens a dump, with the matching vmlinux when there is one.
     *
     * @throws DumpFormatException when the dump (or vmlinux) cannot be used at all: no page index,
     *                             no way to find the kernel's page tables
     */
    public static Program open(Path dumpPath, Optional<Path> vmlinux) throws IOException, DumpFormatException {
        DumpFile dump = DumpFile.open(dumpPath);
        try {
            return open(dump, vmlinux);
        } catch (IOException | DumpFormatException | RuntimeException e) {
            dump.close();
            throw e;
        }
    }

    private static Program open(DumpFile dump, Optional<Path> vmlinux) throws IOException, DumpFormatException {
        List<String> warnings = new ArrayList<>();
        PhysicalMemory memory = dump.memory();
        Map<String, String> info = dump.vmcoreinfo().map(Vmcoreinfo::parse).orElse(Map.of());
        if (info.isEmpty()) {
            warnings.add(dump.path() + ": no VMCOREINFO note; page tables from CR3, symbols only from a vmlinux");
        }
        List<CpuState> cpus;
        try {
            cpus = CpuState.fromNotes(dump.notes());
        } catch (DumpFormatException e) {
            warnings.add(e.getMessage());
            cpus = List.of();
        }
        boolean fiveLevel = "1".equals(info.get("NUMBER(pgtable_l5_enabled)"));
        long smeMask = number(info, "NUMBER(sme_mask)", 0);
        long kaslr = hex(info, "KERNELOFFSET", 0);
        long physBase = number(info, "NUMBER(phys_base)", 0);
        long imageSize = number(info, "NUMBER(KERNEL_IMAGE_SIZE)", 1L << 30);
        KernelLayout provisional = new KernelLayout(kaslr, physBase, imageSize, fiveLevel,
                fiveLevel ? KernelLayout.DEFAULT_PAGE_OFFSET_L5 : KernelLayout.DEFAULT_PAGE_OFFSET, 0, 0);
        long root;
        String topTable = info.get("SYMBOL(init_top_pgt)");
        if (topTable != null && info.containsKey("NUMBER(phys_base)")) {
            root = provisional.imagePhysical(Long.parseUnsignedLong(topTable, 16));
        } else {
            Optional<CpuState> withCr3 = cpus.stream().filter(c -> c.cr3().isPresent()).findFirst();
            if (withCr3.isEmpty()) {
                throw new DumpFormatException(dump.path(), 0, "expected VMCOREINFO SYMBOL(init_top_pgt) and NUMBER(phys_base),"
                        + " or a QEMU CPU note with CR3, to find the kernel page tables; the dump has neither");
            }
            root = withCr3.get().cr3().getAsLong();
            warnings.add(dump.path() + ": kernel page tables taken from CPU " + withCr3.get().cpu() + "'s CR3");
        }
        PageTables kernel = new PageTables(memory, root, fiveLevel, smeMask, MemoryFault.Space.KERNEL);
        SymbolTable symbols = symbols(dump, kernel, info, vmlinux, kaslr, warnings);
        KernelLayout layout = new KernelLayout(kaslr, physBase, imageSize, fiveLevel,
                variable(kernel, symbols, "page_offset_base", provisional.pageOffsetBase(), warnings),
                variable(kernel, symbols, "vmalloc_base", 0, warnings),
                variable(kernel, symbols, "vmemmap_base", 0, warnings));
        return new Program(dump, memory, info, cpus, kernel, layout, symbols, warnings, vmlinux);
    }

    private static SymbolTable symbols(DumpFile dump, AddressSpace kernel, Map<String, String> info, Optional<Path> vmlinux,
                                       long kaslr, List<String> warnings) throws IOException, DumpFormatException {
        if (vmlinux.isPresent()) {
            try (ElfFile elf = ElfFile.open(vmlinux.get())) {
                // A vmlinux of another build gives wrong symbols and types everywhere: refuse it.
                String dumpId = info.get("BUILD-ID");
                Optional<String> fileId = elf.buildId();
                if (dumpId != null && fileId.isPresent() && !fileId.get().startsWith(dumpId.strip().toLowerCase(java.util.Locale.ROOT))) {
                    throw new DumpFormatException(vmlinux.get(), 0, "expected the vmlinux of the dump's kernel (VMCOREINFO BUILD-ID="
                            + dumpId.strip() + "), found build-id " + fileId.get() + ": not the kernel that crashed");
                }
                // The image moved by KERNELOFFSET; per-cpu offsets (below __START_KERNEL_map) did not.
                // A vmlinux's ~150k symbols are decoded once per build, then read in place.
                Optional<Path> index = fileId.map(id -> SymbolIndex.file(id, "symtab"));
                Optional<SymbolTable> saved = index.flatMap(f -> SymbolIndex.open(f, vmlinux.get() + " .symtab", kaslr));
                if (saved.isPresent() && saved.get().size() > 0) {
                    return saved.get();
                }
                SymbolTable table = SymbolTable.of(elf,
                        a -> KernelLayout.inImage(a) ? a + kaslr : a);
                if (table.size() > 0) {
                    return index.map(f -> SymbolIndex.keep(table, f, kaslr)).orElse(table);
                }
                warnings.add(vmlinux.get() + ": no .symtab (stripped); using kallsyms from the dump");
            }
        }
        try {
            String buildId = info.get("BUILD-ID");
            return Kallsyms.read(kernel, info, Optional.ofNullable(buildId).filter(id -> id.strip().matches("[0-9a-fA-F]{8,}"))
                    .map(id -> SymbolIndex.file(id, "kallsyms")), kaslr);
        } catch (Kallsyms.Unavailable e) {
            warnings.add(dump.path() + ": " + e.getMessage() + "; only VMCOREINFO's symbols are known");
            List<Symbol> syms = new ArrayList<>();
            info.forEach((k, v) -> {
                if (k.startsWith("SYMBOL(") && k.endsWith(")")) {
                    syms.add(new Symbol(k.substring(7, k.length() - 1), Long.parseUnsignedLong(v, 16), 0, '?'));
                }
            });
            return new SymbolTable(syms, "VMCOREINFO");
        }
    }

    private static long variable(AddressSpace kernel, SymbolTable symbols, String name, long fallback, List<String> warnings) {
        Optional<Symbol> s = symbols.lookup(name);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            return kernel.u64(s.get().address());
        } catch (MemoryFault f) {
            warnings.add(name + " unreadable (" + f.getMessage() + "); assuming " + Long.toHexString(fallback));
            return fallback;
        }
    }

    private static long number(Map<String, String> info, String key, long fallback) {
        String v = info.get(key);
        try {
            return v == null ? fallback : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static long hex(Map<String, String> info, String key, long fallback) {
        String v = info.get(key);
        try {
            return v == null ? fallback : Long.parseUnsignedLong(v, 16);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    public DumpFile dump() {
        return dump;
    }

    public PhysicalMemory memory() {
        return memory;
    }

    /** {@return the VMCOREINFO entries; empty when the dump has none} */
    public Map<String, String> vmcoreinfo() {
        return vmcoreinfo;
    }

    public List<CpuState> cpus() {
        return cpus;
    }

    /** {@return the kernel's address space (init_top_pgt)} */
    public PageTables kernel() {
        return kernel;
    }

    public KernelLayout layout() {
        return layout;
    }

    public SymbolTable symbols() {
        return symbols;
    }

    /** {@return the address of a symbol, or a fault-like message when the program has no such symbol} */
    public long address(String symbol) throws UnknownSymbolException {
        return symbols.lookup(symbol).orElseThrow(() -> new UnknownSymbolException(symbol)).address();
    }

    /**
     * {@return each possible CPU's per-cpu area offset: {@code __per_cpu_offset[0 .. nr_cpu_ids)}
     * (arch/x86/kernel/setup_percpu.c); a per-cpu symbol's address plus the offset is that CPU's copy}
     */
    public long[] perCpuOffsets() throws MemoryFault, UnknownSymbolException {
        int n = (int) kernel.u32(address("nr_cpu_ids"));
        if (n <= 0 || n > 8192) {
            throw new MemoryFault(MemoryFault.Space.KERNEL, address("nr_cpu_ids"), "nr_cpu_ids reads " + n + ", not a CPU count");
        }
        long[] offsets = new long[n];
        long array = address("__per_cpu_offset");
        for (int i = 0; i < n; i++) {
            offsets[i] = kernel.u64(array + i * 8L);
        }
        return offsets;
    }

    /**
     * {@return the kernel's types: the vmlinux's .BTF section when a vmlinux was given, else the
     * BTF the kernel keeps in its own memory ({@code __start_BTF} .. {@code __stop_BTF}, CONFIG_DEBUG_INFO_BTF)}
     *
     * @throws TypeException saying why no types are available
     */
    public synchronized TypeTable types() {
        if (types != null) {
            return types;
        }
        if (typesUnavailable != null) {
            throw new TypeException(typesUnavailable);
        }
        List<String> why = new ArrayList<>();
        if (vmlinux.isPresent()) {
            try {
                ElfFile elf = debugElf();
                Optional<ElfFile.Section> btf = elf.section(".BTF");
                Optional<dev.kdive.dwarf.Dwarf> dwarf = dev.kdive.dwarf.Dwarf.of(elf);
                if (btf.isPresent()) { // BTF answers type questions fastest; DWARF knows the variables
                    Optional<String> id = elf.buildId();
                    Btf b = Btf.parse(elf.contents(btf.get()).asByteBuffer(), vmlinux.get() + " .BTF",
                            id.map(i -> UserCache.file("btf", i + ".names")));
                    types = dwarf.isEmpty() ? b : new TypesWithVariables(b,
                            new dev.kdive.dwarf.DwarfTypes(dwarf.get(), dev.kdive.dwarf.DwarfTypes.defaultIndexFile(elf), progress));
                    return types;
                }
                if (dwarf.isPresent()) {
                    types = new dev.kdive.dwarf.DwarfTypes(dwarf.get(), dev.kdive.dwarf.DwarfTypes.defaultIndexFile(elf), progress);
                    return types;
                }
                why.add(vmlinux.get() + " has neither .BTF nor .debug_info");
            } catch (IOException | DumpFormatException | TypeException | dev.kdive.dwarf.DwarfException e) {
                why.add(e.getMessage());
            }
        }
        try {
            long start = address("__start_BTF");
            long end = address("__stop_BTF");
            if (end <= start || end - start > (256 << 20)) {
                throw new TypeException("__start_BTF..__stop_BTF (" + Long.toHexString(start) + ".." + Long.toHexString(end)
                        + ") is not a plausible BTF section");
            }
            types = dumpBtf(start, (int) (end - start));
            return types;
        } catch (UnknownSymbolException e) {
            why.add("the kernel has no __start_BTF (built without CONFIG_DEBUG_INFO_BTF)");
        } catch (MemoryFault e) {
            why.add("the kernel's BTF is unreadable: " + e.getMessage());
        } catch (TypeException e) {
            why.add(e.getMessage());
        }
        typesUnavailable = "no type information: " + String.join("; ", why);
        throw new TypeException(typesUnavailable);
    }

    /**
     * {@return the BTF between {@code __start_BTF} and {@code __stop_BTF}: read in place from the copy
     * kept for this build (VMCOREINFO BUILD-ID) when it is as long and begins as the dump's does,
     * else read from the dump (megabytes of compressed pages) and kept for the next run}
     */
    private Btf dumpBtf(long start, int length) throws MemoryFault {
        String source = "BTF in the dump at " + Long.toHexString(start);
        String id = vmcoreinfo.getOrDefault("BUILD-ID", "").strip().toLowerCase(java.util.Locale.ROOT);
        Optional<Path> kept = id.matches("[0-9a-f]{8,}") ? Optional.of(UserCache.file("btf", id + ".btf")) : Optional.empty();
        Optional<Path> names = kept.map(f -> UserCache.file("btf", id + ".names"));
        if (kept.isPresent()) {
            Optional<java.lang.foreign.MemorySegment> file = UserCache.map(kept.get());
            if (file.isPresent() && file.get().byteSize() == length) {
                byte[] head = kernel.read(start, Math.min(length, AddressSpace.PAGE_SIZE));
                if (java.util.Arrays.equals(head, file.get().asSlice(0, head.length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))) {
                    try {
                        return Btf.parse(file.get().asByteBuffer(), source, names);
                    } catch (TypeException e) {
                        // a damaged copy: the dump's own is read below
                    }
                }
            }
        }
        byte[] blob = kernel.read(start, length);
        Btf btf = Btf.parse(java.nio.ByteBuffer.wrap(blob), source, names);
        kept.ifPresent(f -> UserCache.saveLater(f, () -> java.nio.ByteBuffer.wrap(blob)));
        return btf;
    }

    /**
     * {@return source lines and inline chains of kernel text, from the vmlinux's DWARF; empty when no
     * vmlinux was given or it has no .debug_info. Addresses passed in are the dump's (KASLR-shifted)}
     */
    public synchronized Optional<java.util.function.LongFunction<List<dev.kdive.dwarf.SourceLines.Frame>>> sourceLines()
            throws IOException, DumpFormatException {
        if (sourceLines == null && vmlinux.isPresent()) {
            Optional<dev.kdive.dwarf.Dwarf> dwarf = dev.kdive.dwarf.Dwarf.of(debugElf());
            if (dwarf.isEmpty()) {
                return Optional.empty();
            }
            long kaslr = layout.kaslrOffset();
            sourceLines = new dev.kdive.dwarf.SourceLines(dwarf.get(),
                    a -> symbols.containing(a + kaslr).filter(Symbol::isText).map(Symbol::name).orElse(null));
        }
        if (sourceLines == null) {
            return Optional.empty();
        }
        long kaslr = layout.kaslrOffset();
        dev.kdive.dwarf.SourceLines lines = sourceLines;
        return Optional.of(a -> lines.frames(a - kaslr));
    }

    /** Types from one source (BTF), global variables' types from another (DWARF). */
    private record TypesWithVariables(TypeTable types, TypeTable variables) implements TypeTable {
        @Override
        public dev.kdive.types.Type byId(int id) {
            return types.byId(id);
        }

        @Override
        public Optional<dev.kdive.types.Type> lookup(String name) {
            return types.lookup(name);
        }

        @Override
        public java.util.Set<String> names() {
            return types.names();
        }

        @Override
        public Optional<dev.kdive.types.Type> variable(String name) {
            Optional<dev.kdive.types.Type> v = types.variable(name);
            return v.isPresent() ? v : variables.variable(name);
        }

        @Override
        public String source() {
            return types.source() + " + " + variables.source() + " variables";
        }
    }

    /** A cached value that holds open files or native memory until the program closes; closing it cannot fail. */
    public interface Resource extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Adds a source of symbols outside the kernel image, as drgn's symbol finders: the kernel layer
     * registers the loaded modules' kallsyms here ({@code dev.kdive.kernel.Kernel#open}), so this
     * layer needs no knowledge of {@code struct module}.
     */
    public void addSymbolFinder(SymbolFinder finder) {
        symbolFinders.add(finder);
    }

    /** {@return the symbol containing {@code address}: a finder's (modules) above the kernel image, else the kernel's} */
    public Optional<Symbol> symbolContaining(long address) {
        if (Long.compareUnsigned(address, layout().modulesStart()) < 0) {
            return symbols().containing(address);
        }
        for (SymbolFinder f : symbolFinders) {
            Optional<Symbol> s = f.containing(address);
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
    }

    /** {@return a symbol by name: the kernel image's first, then the finders' (modules, in list order)} */
    public Optional<Symbol> symbolNamed(String name) {
        Optional<Symbol> s = symbols().lookup(name);
        for (int i = 0; s.isEmpty() && i < symbolFinders.size(); i++) {
            s = symbolFinders.get(i).lookup(name);
        }
        return s;
    }

    /**
     * {@return what a higher layer worked out once for this program (the module list, loaded module
     * debug files), made by {@code make} on first use} Values that are a {@link Resource} are
     * closed with the program. A value made while another thread makes the same one is dropped.
     */
    public <T> T cached(Class<T> key, java.util.function.Supplier<? extends T> make) {
        Object v = cache.get(key);
        if (v == null) {
            T made = make.get();
            v = cache.putIfAbsent(key, made);
            if (v == null) {
                return made;
            }
        }
        return key.cast(v);
    }

    /** The vmlinux, mapped once and kept open for types and source lines. */
    private synchronized ElfFile debugElf() throws IOException, DumpFormatException {
        if (debugElf == null) {
            debugElf = ElfFile.open(vmlinux.orElseThrow());
        }
        return debugElf;
    }

    /** Where to report work that takes a while (the one-time DWARF type index); silent by default. */
    public synchronized void onProgress(java.util.function.Consumer<String> listener) {
        this.progress = listener;
    }

    /** {@return what could not be worked out while opening, one line each} */
    public List<String> warnings() {
        return warnings;
    }

    /** {@return the address space of a user process whose top-level page table is at {@code pgdPhysical}} */
    public PageTables userSpace(long pgdPhysical) {
        return new PageTables(memory, pgdPhysical, kernel.fiveLevel(),
                number(vmcoreinfo, "NUMBER(sme_mask)", 0), MemoryFault.Space.USER);
    }

    @Override
    public void close() {
        // First: the indexes a first look at this build is making read the dump (kallsyms decoded
        // on the cache's thread), so they are waited for while it is open.
        UserCache.finishSaving();
        for (Object v : cache.values()) {
            if (v instanceof Resource r) {
                r.close();
            }
        }
        if (debugElf != null) {
            debugElf.close();
        }
        dump.close();
    }
}
