package dev.kdive.symbols;

import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.MemoryFault;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel's own symbol table, decoded from the dump (kernel/kallsyms.c, scripts/kallsyms.c).
 * VMCOREINFO names the tables (since 6.0): {@code kallsyms_num_syms}; {@code kallsyms_names}, one
 * entry per symbol of a length (one byte, or two when the first has bit 7 set: "big" symbols) and
 * that many token numbers; {@code kallsyms_token_index}, 256 u16 offsets into
 * {@code kallsyms_token_table}'s NUL-terminated tokens; the first decoded character is nm's type
 * letter. Addresses are {@code kallsyms_offsets} (s32) against {@code kallsyms_relative_base};
 * with CONFIG_KALLSYMS_ABSOLUTE_PERCPU a non-negative offset is an absolute (per-cpu) value and a
 * negative one means {@code relative_base - 1 - offset}.
 */
public final class Kallsyms {
    private Kallsyms() {
    }

    /** Thrown when VMCOREINFO does not locate the tables, or they are not readable. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /**
     * {@return the symbol table of the dump's kallsyms, read in place from the index saved for this
     * build when there is one with as many symbols as the dump's {@code kallsyms_num_syms}; else
     * decoded and saved there for the next run}
     *
     * @param kaslrOffset VMCOREINFO's KERNELOFFSET: the index keeps addresses as linked
     */
    public static SymbolTable read(AddressSpace kernel, Map<String, String> vmcoreinfo, java.util.Optional<java.nio.file.Path> index,
                                   long kaslrOffset) throws Unavailable {
        if (index.isPresent()) {
            java.util.Optional<SymbolTable> saved = SymbolIndex.open(index.get(), SOURCE, kaslrOffset);
            if (saved.isPresent()) {
                try {
                    if (kernel.u32(symbol(vmcoreinfo, "kallsyms_num_syms")) == saved.get().size()) {
                        return saved.get();
                    }
                } catch (MemoryFault f) {
                    // decoded below, which says what is unreadable
                }
            }
        }
        // A first look at the build: names decoded as lookups need them, while every name is decoded
        // for the index on the cache's own thread.
        java.util.Optional<SymbolTable> inPlace = inPlace(kernel, vmcoreinfo);
        if (inPlace.isPresent()) {
            index.ifPresent(file -> dev.kdive.dump.UserCache.saveLater(file, () -> {
                try {
                    return SymbolIndex.bytes(read(kernel, vmcoreinfo), kaslrOffset);
                } catch (Unavailable e) {
                    return null;
                }
            }));
            return inPlace.get();
        }
        SymbolTable table = read(kernel, vmcoreinfo);
        return index.map(file -> SymbolIndex.keep(table, file, kaslrOffset)).orElse(table);
    }

    private static final String SOURCE = "kallsyms in the dump";

    /** {@return the symbol table decoded from the dump's memory; sizes run to the next higher address} */
    public static SymbolTable read(AddressSpace kernel, Map<String, String> vmcoreinfo) throws Unavailable {
        long numSyms = symbol(vmcoreinfo, "kallsyms_num_syms");
        long names = symbol(vmcoreinfo, "kallsyms_names");
        long tokenTable = symbol(vmcoreinfo, "kallsyms_token_table");
        long tokenIndex = symbol(vmcoreinfo, "kallsyms_token_index");
        long offsets = symbol(vmcoreinfo, "kallsyms_offsets");
        // 6.0-6.x: offsets from kallsyms_relative_base; later kernels dropped that symbol (see decodeOffsets)
        Long relativeBase = vmcoreinfo.containsKey("SYMBOL(kallsyms_relative_base)") ? symbol(vmcoreinfo, "kallsyms_relative_base") : null;
        try {
            int count = (int) kernel.u32(numSyms);
            if (count <= 0 || count > 10_000_000) {
                throw new Unavailable("kallsyms_num_syms at " + Long.toHexString(numSyms) + " reads " + count
                        + ", not a symbol count");
            }
            long base = relativeBase != null ? kernel.u64(relativeBase) : 0;
            byte[][] tokens = tokens(kernel, tokenIndex, tokenTable);
            ByteBuffer offs = ByteBuffer.wrap(kernel.read(offsets, count * 4)).order(ByteOrder.LITTLE_ENDIAN);
            boolean absolutePercpu = absolutePercpu(offs, count);
            // scripts/kallsyms emits kallsyms_names, then kallsyms_markers, then the token table: the
            // names fit below the token table, read in one go. Another order falls back to page reads.
            long span = tokenTable - names;
            NameReader in = span > 0 && span < (64 << 20)
                    ? new NameReader(kernel.read(names, (int) span), names) : new NameReader(kernel, names);
            long[] address = new long[count];
            String[] name = new String[count];
            char[] type = new char[count];
            byte[] buf = new byte[1024];
            for (int i = 0; i < count; i++) {
                int len = in.next();
                if ((len & 0x80) != 0) {
                    len = (len & 0x7f) | (in.next() << 7);
                }
                int n = 0;
                for (int t = 0; t < len; t++) {
                    byte[] tok = tokens[in.next()];
                    if (n + tok.length > buf.length) {
                        buf = java.util.Arrays.copyOf(buf, (n + tok.length) * 2);
                    }
                    System.arraycopy(tok, 0, buf, n, tok.length);
                    n += tok.length;
                }
                if (n == 0) {
                    throw new Unavailable("kallsyms_names entry " + i + " at " + Long.toHexString(in.position())
                            + " decodes to an empty name");
                }
                type[i] = (char) (buf[0] & 0xff);
                name[i] = new String(buf, 1, n - 1, java.nio.charset.StandardCharsets.ISO_8859_1);
                int off = offs.getInt(i * 4);
                address[i] = address(off, base, absolutePercpu);
            }
            if (relativeBase == null) {
                address = decodeOffsets(offs, offsets, name, vmcoreinfo);
            }
            List<Symbol> symbols = new ArrayList<>(count);
            long[] sorted = address.clone();
            java.util.Arrays.sort(sorted);
            for (int i = 0; i < count; i++) {
                int j = java.util.Arrays.binarySearch(sorted, address[i]);
                while (j < count && sorted[j] == address[i]) {
                    j++;
                }
                long size = j < count && sameArea(address[i], sorted[j]) ? sorted[j] - address[i] : 0;
                symbols.add(new Symbol(name[i], address[i], size, type[i]));
            }
            return new SymbolTable(symbols, SOURCE);
        } catch (MemoryFault f) {
            throw new Unavailable("kallsyms tables unreadable: " + f.getMessage());
        }
    }

    /**
     * {@return the table read in place, each name decoded when a lookup needs it ({@link
     * KallsymsInPlace}); empty when the kernel has no {@code kallsyms_relative_base} or its layout
     * does not prove itself}
     */
    public static java.util.Optional<SymbolTable> inPlace(AddressSpace kernel, Map<String, String> vmcoreinfo) throws Unavailable {
        if (!vmcoreinfo.containsKey("SYMBOL(kallsyms_relative_base)")) {
            return java.util.Optional.empty();
        }
        long relativeBase = symbol(vmcoreinfo, "kallsyms_relative_base");
        long tokenTable = symbol(vmcoreinfo, "kallsyms_token_table");
        try {
            int count = (int) kernel.u32(symbol(vmcoreinfo, "kallsyms_num_syms"));
            if (count <= 0 || count > 10_000_000) {
                return java.util.Optional.empty();
            }
            long base = kernel.u64(relativeBase);
            ByteBuffer offs = ByteBuffer.wrap(kernel.read(symbol(vmcoreinfo, "kallsyms_offsets"), count * 4)).order(ByteOrder.LITTLE_ENDIAN);
            boolean absolutePercpu = absolutePercpu(offs, count);
            long[] address = new long[count];
            for (int i = 0; i < count; i++) {
                address[i] = address(offs.getInt(i * 4), base, absolutePercpu);
            }
            return KallsymsInPlace.open(kernel, address, tokens(kernel, symbol(vmcoreinfo, "kallsyms_token_index"), tokenTable),
                    symbol(vmcoreinfo, "kallsyms_names"), tokenTable, relativeBase, SOURCE);
        } catch (MemoryFault f) {
            return java.util.Optional.empty();
        }
    }

    /** {@return the 256 tokens: {@code kallsyms_token_index}'s u16 offsets into the NUL-terminated {@code kallsyms_token_table}} */
    private static byte[][] tokens(AddressSpace kernel, long tokenIndex, long tokenTable) throws MemoryFault {
        ByteBuffer idx = ByteBuffer.wrap(kernel.read(tokenIndex, 256 * 2)).order(ByteOrder.LITTLE_ENDIAN);
        int tableLength = 0;
        for (int i = 0; i < 256; i++) {
            tableLength = Math.max(tableLength, Short.toUnsignedInt(idx.getShort(i * 2)));
        }
        byte[] table = kernel.read(tokenTable, tableLength + 256); // the last token is short
        byte[][] tokens = new byte[256][];
        for (int i = 0; i < 256; i++) {
            int start = Short.toUnsignedInt(idx.getShort(i * 2));
            int end = start;
            while (end < table.length && table[end] != 0) {
                end++;
            }
            tokens[i] = java.util.Arrays.copyOfRange(table, start, end);
        }
        return tokens;
    }

    /** {@return the address an entry of {@code kallsyms_offsets} stands for (see the class comment)} */
    private static long address(int off, long base, boolean absolutePercpu) {
        return !absolutePercpu ? base + Integer.toUnsignedLong(off) : off >= 0 ? off : base - 1 - off;
    }

    /** {@return whether any offset is negative: CONFIG_KALLSYMS_ABSOLUTE_PERCPU's encoding (see the class comment)} */
    private static boolean absolutePercpu(ByteBuffer offs, int count) {
        for (int i = 0; i < count; i++) {
            if (offs.getInt(i * 4) < 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Offsets without {@code kallsyms_relative_base} (newer kernels' scripts/kallsyms): each entry is
     * either place-relative (the kernel's {@code offset_to_ptr()}: the entry's own address plus its
     * signed value) or relative to {@code _stext}. Which one is not guessed from a version: the
     * decoding under which the symbols VMCOREINFO names itself ({@code init_uts_ns}, {@code _stext},
     * {@code swapper_pg_dir}, {@code prb}...) land at VMCOREINFO's addresses is taken.
     */
    private static long[] decodeOffsets(ByteBuffer offs, long offsets, String[] name, Map<String, String> vmcoreinfo) throws Unavailable {
        int count = name.length;
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            index.putIfAbsent(name[i], i);
        }
        Map<Integer, Long> known = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : vmcoreinfo.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("SYMBOL(") && k.endsWith(")") && !k.startsWith("SYMBOL(kallsyms_")) {
                Integer i = index.get(k.substring(7, k.length() - 1));
                if (i != null) {
                    known.put(i, Long.parseUnsignedLong(e.getValue(), 16));
                }
            }
        }
        if (known.isEmpty()) {
            throw new Unavailable("kallsyms has no kallsyms_relative_base and names none of VMCOREINFO's symbols to tell how its offsets decode");
        }
        long stext = vmcoreinfo.containsKey("SYMBOL(_stext)") ? symbol(vmcoreinfo, "_stext") : 0;
        long[] placeRelative = new long[count];
        long[] textRelative = new long[count];
        for (int i = 0; i < count; i++) {
            int off = offs.getInt(i * 4);
            placeRelative[i] = offsets + 4L * i + off;
            textRelative[i] = stext + Integer.toUnsignedLong(off);
        }
        // Some SYMBOL() entries are a pointer's value, not an address (mem_section, vmemmap, node_data
        // under SPARSEMEM_EXTREME and NUMA): the decoding that most of them agree with wins, two at least.
        long[] best = null;
        long bestMatches = 0;
        for (long[] candidate : List.of(placeRelative, textRelative)) {
            long matches = known.entrySet().stream().filter(e -> candidate[e.getKey()] == e.getValue()).count();
            if (matches > bestMatches) {
                best = candidate;
                bestMatches = matches;
            }
        }
        if (best != null && bestMatches >= 2 && bestMatches * 2 >= known.size()) {
            return best;
        }
        Map.Entry<Integer, Long> one = known.entrySet().iterator().next();
        throw new Unavailable("kallsyms_offsets without kallsyms_relative_base: " + name[one.getKey()] + " decodes to "
                + Long.toHexString(placeRelative[one.getKey()]) + " (place-relative) or " + Long.toHexString(textRelative[one.getKey()])
                + " (from _stext), VMCOREINFO says " + Long.toHexString(one.getValue()));
    }

    /** Per-cpu offsets and kernel addresses sort apart (signed order); a size never spans the two. */
    private static boolean sameArea(long a, long b) {
        return (a < 0) == (b < 0);
    }

    private static long symbol(Map<String, String> vmcoreinfo, String name) throws Unavailable {
        String v = vmcoreinfo.get("SYMBOL(" + name + ")");
        if (v == null) {
            throw new Unavailable("VMCOREINFO has no SYMBOL(" + name + ") (kernels before 6.0 do not export kallsyms there)");
        }
        try {
            return Long.parseUnsignedLong(v, 16);
        } catch (NumberFormatException e) {
            throw new Unavailable("VMCOREINFO SYMBOL(" + name + ")=" + v + " is not a hex address");
        }
    }

    /** Sequential byte reads over kernel memory, a page at a time. */
    private static final class NameReader {
        private final AddressSpace kernel;
        private long position;
        private byte[] chunk = new byte[0];
        private long chunkStart;

        NameReader(AddressSpace kernel, long start) {
            this.kernel = kernel;
            this.position = start;
            this.chunkStart = start;
        }

        /** Over bytes already read from {@code start}; reading past them is a fault at that address. */
        NameReader(byte[] bytes, long start) {
            this.kernel = null;
            this.chunk = bytes;
            this.position = start;
            this.chunkStart = start;
        }

        long position() {
            return position;
        }

        int next() throws MemoryFault {
            long i = position - chunkStart;
            if (i >= chunk.length) {
                if (kernel == null) {
                    throw new MemoryFault(MemoryFault.Space.KERNEL, position, "kallsyms_names runs past kallsyms_token_table");
                }
                int n = (int) (AddressSpace.PAGE_SIZE - (position & (AddressSpace.PAGE_SIZE - 1)));
                chunk = kernel.read(position, n);
                chunkStart = position;
                i = 0;
            }
            position++;
            return chunk[(int) i] & 0xff;
        }
    }
}
