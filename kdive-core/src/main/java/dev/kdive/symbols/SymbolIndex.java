package dev.kdive.symbols;

import dev.kdive.arch.x86_64.KernelLayout;
import dev.kdive.dump.NameSlots;
import dev.kdive.dump.UserCache;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A symbol table saved to a file that is read in place: a kernel's ~100k symbols are decoded once
 * (from kallsyms in a dump, or a vmlinux's .symtab) and later runs map the file and read only the
 * entries a lookup touches. One file serves every boot of a build: addresses are kept as linked.
 * Little-endian, kdive's own format:
 * <pre>
 *   0  "KDSYMS\0\1"
 *   8  u32 count, u32 slots (a power of two), u32 name bytes, u32 CRC-32 of everything after the header
 *  24  u64 addresses[count] (ascending, unsigned); u64 sizes[count]; u32 nameStart[count + 1];
 *      u32 slots[slots] (a {@link NameSlots} table: the symbol a lookup by name gives); u8 types[count]; names (ISO-8859-1, as kallsyms stores them)
 * </pre>
 * A file that is short, of another version or whose checksum fails is not used.
 */
public final class SymbolIndex {
    private static final long MAGIC = 0x0100_534D_5953_444BL; // "KDSYMS\0\1" little-endian
    private static final int HEADER = 24;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SymbolIndex() {
    }

    /**
     * {@return the table as its index reads it (made in memory: one name index, not a map of the
     * decoded symbols besides), the index saved to {@code file} on the cache's own thread (see
     * {@link UserCache#saveLater}) for the next run. The file keeps kernel image addresses less
     * {@code kaslrOffset}: as linked, so that every boot of the build shares it}
     */
    public static SymbolTable keep(SymbolTable table, Path file, long kaslrOffset) {
        ByteBuffer b = bytes(table, kaslrOffset);
        if (b == null) {
            return table;
        }
        UserCache.saveLater(file, b::duplicate);
        return read(MemorySegment.ofBuffer(b), table.source(), kaslrOffset).orElse(table);
    }

    /** {@return the file's bytes; null when the table does not fit one (over 2 GB)} */
    static ByteBuffer bytes(SymbolTable table, long kaslrOffset) {
        int count = table.size();
        List<Symbol> all = table.all();
        byte[][] names = new byte[count][];
        int nameBytes = 0;
        for (int i = 0; i < count; i++) {
            names[i] = all.get(i).name().getBytes(StandardCharsets.ISO_8859_1);
            nameBytes += names[i].length;
        }
        byte[] slots = NameSlots.build(count, i -> all.get(i).name(),
                (kept, other) -> !SymbolTable.preferred(all.get(kept).type(), all.get(other).type()));
        long size = HEADER + 16L * count + 4L * (count + 1) + slots.length + count + nameBytes;
        if (size > Integer.MAX_VALUE) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(count).putInt(slots.length / 4).putInt(nameBytes).putInt(0);
        for (Symbol s : all) {
            b.putLong(image(s.address()) ? s.address() - kaslrOffset : s.address());
        }
        for (Symbol s : all) {
            b.putLong(s.size());
        }
        int at = 0;
        for (byte[] n : names) {
            b.putInt(at);
            at += n.length;
        }
        b.putInt(at);
        b.put(slots);
        for (Symbol s : all) {
            b.put((byte) s.type());
        }
        for (byte[] n : names) {
            b.put(n);
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), HEADER, (int) size - HEADER);
        b.putInt(20, (int) crc.getValue());
        return b.flip();
    }

    /** {@return the table saved in {@code file}, read in place; empty when there is none or it is not whole} */
    public static Optional<SymbolTable> open(Path file, String source, long kaslrOffset) {
        return UserCache.map(file).flatMap(m -> read(m, source, kaslrOffset));
    }

    private static Optional<SymbolTable> read(MemorySegment m, String source, long kaslrOffset) {
        long size = m.byteSize();
        if (size < HEADER) {
            return Optional.empty();
        }
        int count = m.get(U32, 8);
        int slots = m.get(U32, 12);
        int nameBytes = m.get(U32, 16);
        if (m.get(U64, 0) != MAGIC || count < 0 || slots <= count || Integer.bitCount(slots) != 1 || nameBytes < 0
                || size != HEADER + 16L * count + 4L * (count + 1) + 4L * slots + count + nameBytes) {
            return Optional.empty();
        }
        CRC32 crc = new CRC32();
        crc.update(m.asSlice(HEADER).asByteBuffer());
        if ((int) crc.getValue() != m.get(U32, 20)) {
            return Optional.empty();
        }
        return Optional.of(new SymbolTable(new Mapped(m, count, slots, kaslrOffset), source));
    }

    /**
     * {@return where the index of one kernel build's symbols is kept: {@code ~/.cache/kdive/symbols/},
     * named by the build id and by where the symbols came from ({@code kallsyms}, {@code symtab})}
     */
    public static Path file(String buildId, String from) {
        return UserCache.file("symbols", buildId.strip().toLowerCase(java.util.Locale.ROOT) + "." + from);
    }

    /** Kernel image addresses move with KASLR; per-cpu offsets (absolute, below it) do not. */
    private static boolean image(long address) {
        return KernelLayout.inImage(address);
    }

    /** The entries of a mapped, checksummed file. */
    private static final class Mapped implements SymbolTable.Entries {
        private final MemorySegment m;
        private final int count;
        private final NameSlots slots;
        private final long kaslrOffset;
        private final long sizes;
        private final long nameStarts;
        private final long slotTable;
        private final long types;
        private final long names;

        Mapped(MemorySegment m, int count, int slots, long kaslrOffset) {
            this.m = m;
            this.kaslrOffset = kaslrOffset;
            this.count = count;
            this.sizes = HEADER + 8L * count;
            this.nameStarts = sizes + 8L * count;
            this.slotTable = nameStarts + 4L * (count + 1);
            this.types = slotTable + 4L * slots;
            this.slots = new NameSlots(m.asSlice(slotTable, 4L * slots));
            this.names = types + count;
        }

        @Override
        public int size() {
            return count;
        }

        @Override
        public long address(int i) {
            long linked = m.get(U64, HEADER + 8L * i);
            return image(linked) ? linked + kaslrOffset : linked;
        }

        @Override
        public Symbol symbol(int i) {
            int start = m.get(U32, nameStarts + 4L * i);
            int end = m.get(U32, nameStarts + 4L * i + 4);
            byte[] name = m.asSlice(names + start, end - start).toArray(ValueLayout.JAVA_BYTE);
            return new Symbol(new String(name, StandardCharsets.ISO_8859_1), address(i), m.get(U64, sizes + 8L * i),
                    (char) (m.get(ValueLayout.JAVA_BYTE, types + i) & 0xff));
        }

        @Override
        public boolean named(int i, String name) {
            long start = names + m.get(U32, nameStarts + 4L * i);
            long end = names + m.get(U32, nameStarts + 4L * i + 4);
            if (end - start != name.length()) {
                return false;
            }
            for (int k = 0; k < name.length(); k++) {
                if (name.charAt(k) > 0xff || (m.get(ValueLayout.JAVA_BYTE, start + k) & 0xff) != name.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int find(String name) {
            return slots.find(name, i -> named(i, name));
        }
    }
}
