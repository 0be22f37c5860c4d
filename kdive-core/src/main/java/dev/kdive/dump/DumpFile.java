package dev.kdive.dump;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A vmcore file, recognised by its first bytes and mapped read-only. This is the entry point of
 * the dump layer: {@code DumpFile.open(path)} never reads the whole file into the heap.
 */
public sealed interface DumpFile extends AutoCloseable permits ElfCore, DiskDump, FlattenedDump {

    /** {@return the file this dump was read from} */
    Path path();

    /** {@return the format, in the words users know: "ELF", "kdump-compressed", "makedumpfile flattened"} */
    String formatName();

    /** {@return the VMCOREINFO note text the kernel (or QEMU's vmcoreinfo device) left, if any} */
    Optional<String> vmcoreinfo() throws DumpFormatException;

    /** {@return the ELF notes the dump carries (per-CPU registers, VMCOREINFO, ...), in file order} */
    java.util.List<Note> notes() throws DumpFormatException;

    /**
     * {@return the dump's physical memory, page by page}
     * @throws DumpFormatException when the page index of the dump cannot be read at all
     */
    PhysicalMemory memory() throws DumpFormatException;

    @Override
    void close();

    /**
     * Opens a dump, telling the format from its signature.
     *
     * @throws DumpFormatException when the file is none of the vmcore formats kdive knows
     */
    static DumpFile open(Path path) throws IOException, DumpFormatException {
        if (java.nio.file.Files.isDirectory(path)) {
            throw new DumpFormatException(path, 0, "expected a file, found a directory");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            Bytes bytes = new Bytes(path, file);
            if (bytes.size() >= 4 && bytes.u32le(0) == ElfCore.MAGIC) {
                return ElfCore.parse(bytes, arena);
            }
            String sig = bytes.size() >= 16 ? bytes.ascii(0, 16) : "";
            if (sig.startsWith(DiskDump.SIGNATURE)) {
                return DiskDump.parse(bytes, arena);
            }
            if (sig.startsWith(FlattenedDump.SIGNATURE)) {
                return FlattenedDump.parse(bytes, arena);
            }
            arena.close();
            throw new DumpFormatException(path, 0,
                    "expected an ELF core, a kdump-compressed (\"KDUMP   \") or a makedumpfile flattened file, found "
                            + (bytes.size() < 16 ? bytes.size() + " bytes" : "signature \"" + printable(sig) + "\""));
        } catch (IOException | DumpFormatException | RuntimeException e) {
            if (arena.scope().isAlive()) {
                arena.close();
            }
            throw e;
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '.');
        }
        return b.toString();
    }

    /**
     * Positional reads over a dump's contents: the mapped file itself, or the standard diskdump
     * layout that a flattened stream describes. Callers check bounds with {@link #require}.
     */
    sealed interface Input permits Bytes, FlattenedDump.Rearranged {
        Path path();

        long size();

        /** {@return {@code length} bytes at {@code offset}: a view of the file where possible} */
        MemorySegment slice(long offset, long length);

        default int u8(long off) {
            return Byte.toUnsignedInt(slice(off, 1).get(ValueLayout.JAVA_BYTE, 0));
        }

        default long u32le(long off) {
            return Integer.toUnsignedLong(slice(off, 4).get(Bytes.U32LE, 0));
        }

        default long u64le(long off) {
            return slice(off, 8).get(Bytes.U64LE, 0);
        }

        /** A NUL-padded string of at most {@code len} bytes. */
        default String cstring(long off, int len) {
            String s = new String(slice(off, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
            int nul = s.indexOf('\0');
            return nul < 0 ? s : s.substring(0, nul);
        }

        default void require(long offset, long length, String what) throws DumpFormatException {
            if (offset < 0 || length < 0 || offset > size() - length) {
                throw new DumpFormatException(path(), offset, "expected " + what + " (" + length
                        + " bytes), but the file ends at 0x" + Long.toHexString(size()) + " (truncated?)");
            }
        }
    }

    /** Bounds-checked little/big-endian reads over a mapped file; every failure names the offset. */
    record Bytes(Path path, MemorySegment segment) implements Input {
        static final ValueLayout.OfInt U32LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        static final ValueLayout.OfLong U64LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        static final ValueLayout.OfLong U64BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        static final ValueLayout.OfShort U16LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        @Override
        public long size() {
            return segment.byteSize();
        }

        @Override
        public MemorySegment slice(long offset, long length) {
            return segment.asSlice(offset, length);
        }

        int u16le(long off) {
            return Short.toUnsignedInt(segment.get(U16LE, off));
        }

        @Override
        public long u32le(long off) {
            return Integer.toUnsignedLong(segment.get(U32LE, off));
        }

        @Override
        public long u64le(long off) {
            return segment.get(U64LE, off);
        }

        long u64be(long off) {
            return segment.get(U64BE, off);
        }

        String ascii(long off, int len) {
            byte[] b = segment.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }
}
