package dev.kdive.symbols;

import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.MemoryFault;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * kallsyms read where it lies in the dump, decoding only the names a lookup touches, as the
 * kernel's own kallsyms_lookup_name() does (kernel/kallsyms.c): an address is a binary search of
 * {@code kallsyms_offsets}; the name of entry {@code i} is decoded from {@code kallsyms_markers[i / 256]}
 * (where each 256th entry of {@code kallsyms_names} starts) past at most 255 entries; a name is a
 * binary search of {@code kallsyms_seqs_of_names} (6.2+, and Debian's 6.1: entry numbers in name
 * order, 3 bytes big-endian each).
 *
 * <p>VMCOREINFO names neither the markers nor the name order. scripts/kallsyms places them, each
 * label 8-aligned: the markers right after the names; the name order either right after the
 * markers (then the token table) or, since 6.4 put the addresses last, right after
 * {@code kallsyms_relative_base}. Both are taken only when they prove themselves: the markers must
 * start with 0 and the offset where walking 256 names ends, rise, and end the name table where they
 * begin; the name order must hold entry numbers whose names rise on a sample of them. Anything else
 * (another layout, no relative base, unsorted addresses, damaged tables) gives no table here, and
 * the caller decodes every name instead.
 */
final class KallsymsInPlace implements SymbolTable.Entries {
    private static final int SAMPLES = 48;
    private final AddressSpace kernel;
    private final int count;
    private final long[] address;
    private final byte[][] tokens;
    private final long names;
    private final long[] blocks; // where each 256 entries start, relative to the names, and where they end
    private final long seqs;
    private final java.util.Map<Integer, byte[]> read = new java.util.concurrent.ConcurrentHashMap<>();

    private KallsymsInPlace(AddressSpace kernel, long[] address, byte[][] tokens, long names, long[] blocks, long seqs) {
        this.kernel = kernel;
        this.count = address.length;
        this.address = address;
        this.tokens = tokens;
        this.names = names;
        this.blocks = blocks;
        this.seqs = seqs;
    }

    /**
     * {@return the table read in place, or empty when its layout does not prove itself}
     *
     * @param address every entry's address, decoded from {@code kallsyms_offsets}
     * @param tokenTable where {@code kallsyms_token_table} starts (the markers, and maybe the name order, end below it)
     * @param relativeBase where {@code kallsyms_relative_base} is (the name order may follow it)
     */
    static Optional<SymbolTable> open(AddressSpace kernel, long[] address, byte[][] tokens, long names, long tokenTable,
                                      long relativeBase, String source) throws MemoryFault {
        int count = address.length;
        for (int i = 1; i < count; i++) {
            if (Long.compareUnsigned(address[i - 1], address[i]) > 0) {
                return Optional.empty(); // the lookups below assume the table in address order
            }
        }
        int markerCount = (count + 255) / 256;
        if (count <= 256) {
            return Optional.empty();
        }
        long after256 = skip(kernel, names, 256) - names;
        // The markers end at most a name order (3 bytes an entry) and two alignments below the token table.
        long high = tokenTable - 4L * markerCount;
        long low = Math.max(names, high - 3L * count - 16);
        if (high <= low) {
            return Optional.empty();
        }
        ByteBuffer w = ByteBuffer.wrap(kernel.read(low, (int) (high - low + 8))).order(ByteOrder.LITTLE_ENDIAN);
        for (long at = high & ~7L; at >= low; at -= 8) {
            int i = (int) (at - low);
            if (w.getInt(i) != 0 || Integer.toUnsignedLong(w.getInt(i + 4)) != after256) {
                continue;
            }
            long[] m = markers(kernel, at, markerCount, at - names);
            if (m == null) {
                continue;
            }
            long end = skip(kernel, names + m[markerCount - 1], count - 256 * (markerCount - 1)) - names;
            if (((names + end + 7) & ~7L) != at) {
                continue;
            }
            m[markerCount] = end;
            KallsymsInPlace t = new KallsymsInPlace(kernel, address, tokens, names, m, -1);
            long markersEnd = (at + 4L * markerCount + 7) & ~7L;
            for (long seqs : new long[] {markersEnd, (relativeBase + 8 + 7) & ~7L}) {
                if (t.nameOrder(seqs)) {
                    return Optional.of(new SymbolTable(new KallsymsInPlace(kernel, address, tokens, names, m, seqs), source));
                }
            }
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** {@return the markers at {@code at} (and room for the end): starting at 0, rising, inside {@code span}; null otherwise} */
    private static long[] markers(AddressSpace kernel, long at, int markerCount, long span) throws MemoryFault {
        ByteBuffer b = ByteBuffer.wrap(kernel.read(at, 4 * markerCount)).order(ByteOrder.LITTLE_ENDIAN);
        long[] m = new long[markerCount + 1];
        for (int k = 0; k < markerCount; k++) {
            m[k] = Integer.toUnsignedLong(b.getInt(4 * k));
            if (k > 0 && m[k] <= m[k - 1] || m[k] >= span) {
                return null;
            }
        }
        return m[0] == 0 ? m : null;
    }

    /** {@return where the entry {@code n} entries past the one at {@code at} starts, read a page at a time} */
    private static long skip(AddressSpace kernel, long at, int n) throws MemoryFault {
        long p = at;
        byte[] page = new byte[0];
        long pageStart = at;
        for (int i = 0; i < n; i++) {
            int[] len = new int[1];
            for (int step = 0; step < 2; step++) {
                if (p - pageStart >= page.length) {
                    pageStart = p;
                    page = kernel.read(p, (int) (AddressSpace.PAGE_SIZE - (p & (AddressSpace.PAGE_SIZE - 1))));
                }
                int v = page[(int) (p - pageStart)] & 0xff;
                p++;
                if (step == 0) {
                    len[0] = v;
                    if ((v & 0x80) == 0) {
                        break;
                    }
                } else {
                    len[0] = (len[0] & 0x7f) | v << 7;
                }
            }
            p += len[0];
        }
        return p;
    }

    /** {@return whether {@code at} holds the name order: entry numbers in range whose names rise, on a sample} */
    private boolean nameOrder(long at) {
        try {
            String previous = null;
            for (int s = 0; s <= SAMPLES; s++) {
                int k = (int) ((long) (count - 1) * s / SAMPLES);
                int e = seq(at, k);
                if (e < 0 || e >= count) {
                    return false;
                }
                String name = name(e);
                if (previous != null && previous.compareTo(name) > 0) {
                    return false;
                }
                previous = name;
            }
            return true;
        } catch (MemoryFault f) {
            return false;
        }
    }

    private int seq(long at, int k) throws MemoryFault {
        byte[] b = kernel.read(at + 3L * k, 3);
        return (b[0] & 0xff) << 16 | (b[1] & 0xff) << 8 | (b[2] & 0xff);
    }

    /** {@return entry {@code i} decoded: its type letter, then its name} */
    private byte[] decode(int i) throws MemoryFault {
        int k = i >>> 8;
        byte[] block = read.get(k);
        if (block == null) {
            block = kernel.read(names + blocks[k], (int) (blocks[k + 1] - blocks[k]));
            read.put(k, block);
        }
        int p = 0;
        int len = 0;
        for (int e = 0; e <= (i & 0xff); e++) {
            if (e > 0) {
                p += len;
            }
            if (p + 2 > block.length) { // the lengths overrun the block the markers give: damaged names
                throw new MemoryFault(MemoryFault.Space.KERNEL, names + blocks[k] + p, "kallsyms_names entry " + i
                        + ": the entries before it run past the " + block.length + " bytes kallsyms_markers gives their block");
            }
            len = block[p++] & 0xff;
            if ((len & 0x80) != 0) {
                len = (len & 0x7f) | (block[p++] & 0xff) << 7;
            }
        }
        if (p + len > block.length) {
            throw new MemoryFault(MemoryFault.Space.KERNEL, names + blocks[k] + p, "kallsyms_names entry " + i + " runs past its block");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(len * 4);
        for (int t = 0; t < len; t++) {
            out.writeBytes(tokens[block[p + t] & 0xff]);
        }
        byte[] b = out.toByteArray();
        if (b.length == 0) {
            throw new MemoryFault(MemoryFault.Space.KERNEL, names + blocks[k] + p, "kallsyms_names entry " + i + " decodes to an empty name");
        }
        return b;
    }

    private String name(int i) throws MemoryFault {
        byte[] b = decode(i);
        return new String(b, 1, b.length - 1, StandardCharsets.ISO_8859_1);
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public long address(int i) {
        return address[i];
    }

    @Override
    public Symbol symbol(int i) {
        byte[] b;
        try {
            b = decode(i);
        } catch (MemoryFault f) {
            // the kallsyms tables were readable when this table was made; a page that is not is the dump's damage
            throw new IllegalStateException("kallsyms entry " + i + ": " + f.getMessage(), f);
        }
        int j = i + 1;
        while (j < count && address[j] == address[i]) {
            j++;
        }
        long size = j < count && (address[i] < 0) == (address[j] < 0) ? address[j] - address[i] : 0;
        return new Symbol(new String(b, 1, b.length - 1, StandardCharsets.ISO_8859_1), address[i], size, (char) (b[0] & 0xff));
    }

    @Override
    public boolean named(int i, String name) {
        try {
            return name(i).equals(name);
        } catch (MemoryFault f) {
            throw new IllegalStateException("kallsyms entry " + i + ": " + f.getMessage(), f);
        }
    }

    /**
     * A binary search of the name order; of several entries of the name, the one an index in address
     * order gives (the first global one, else the first: see {@link SymbolTable#preferred}).
     */
    @Override
    public int find(String name) {
        try {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (name(seq(seqs, mid)).compareTo(name) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            java.util.TreeMap<Integer, Character> same = new java.util.TreeMap<>();
            for (int k = lo; k < count; k++) {
                int e = seq(seqs, k);
                byte[] b = decode(e);
                if (!new String(b, 1, b.length - 1, StandardCharsets.ISO_8859_1).equals(name)) {
                    break;
                }
                same.put(e, (char) (b[0] & 0xff));
            }
            int kept = -1;
            char keptType = 0;
            for (var e : same.entrySet()) {
                if (kept < 0 || !SymbolTable.preferred(keptType, e.getValue())) {
                    kept = e.getKey();
                    keptType = e.getValue();
                }
            }
            return kept;
        } catch (MemoryFault f) {
            throw new IllegalStateException("kallsyms_seqs_of_names: " + f.getMessage(), f);
        }
    }
}
