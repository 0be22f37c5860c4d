package dev.kdive.dump;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * makedumpfile's flattened stream (what {@code makedumpfile -F} and QEMU's kdump formats write):
 * a 4096-byte {@code makedumpfile_header} ("makedumpfile" signature, type, version), then records
 * of {@code makedumpfile_data_header} (big-endian int64 offset, int64 buf_size) each followed by
 * buf_size bytes that belong at that offset of the kdump-compressed file; offset -1 ends the
 * stream (makedumpfile.h, MAX_SIZE_MDF_HEADER and END_FLAG_FLAT_HEADER). Reading it means
 * indexing the records once, then reading the rearranged file through that index.
 */
public record FlattenedDump(DumpFile.Bytes bytes, Arena arena, List<Segment> segments) implements DumpFile {
    static final String SIGNATURE = "makedumpfile";
    private static final long HEADER_SIZE = 4096;
    private static final long END = -1;

    /** {@code length} bytes at {@code fileOffset} in this file belong at {@code dumpOffset} of the diskdump. */
    public record Segment(long dumpOffset, long fileOffset, long length) {}

    static FlattenedDump parse(DumpFile.Bytes b, Arena arena) throws DumpFormatException {
        b.require(0, HEADER_SIZE, "a makedumpfile_header");
        List<Segment> segs = new ArrayList<>();
        long p = HEADER_SIZE;
        while (true) {
            b.require(p, 16, "a makedumpfile_data_header (or the end marker)");
            long off = b.u64be(p);
            long len = b.u64be(p + 8);
            if (off == END) {
                break;
            }
            if (off < 0 || len < 0) {
                throw new DumpFormatException(b.path(), p, "expected a non-negative offset and size in a makedumpfile_data_header");
            }
            b.require(p + 16, len, "the data of a flattened record");
            segs.add(new Segment(off, p + 16, len));
            p += 16 + len;
        }
        return new FlattenedDump(b, arena, List.copyOf(segs));
    }

    @Override
    public Path path() {
        return bytes.path();
    }

    @Override
    public String formatName() {
        return "makedumpfile flattened";
    }

    /** Reads {@code length} bytes at an offset of the rearranged (standard) diskdump file. */
    byte[] read(long dumpOffset, int length) throws DumpFormatException {
        byte[] out = new byte[length];
        int filled = 0;
        // Later records win, as when makedumpfile -R replays the stream in order.
        for (Segment s : segments) {
            long from = Math.max(dumpOffset, s.dumpOffset());
            long to = Math.min(dumpOffset + length, s.dumpOffset() + s.length());
            if (from < to) {
                java.lang.foreign.MemorySegment.copy(bytes.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE,
                        s.fileOffset() + (from - s.dumpOffset()), out, (int) (from - dumpOffset), (int) (to - from));
                filled += (int) (to - from);
            }
        }
        if (filled < length) {
            throw new DumpFormatException(bytes.path(), dumpOffset,
                    "expected " + length + " bytes at this offset of the rearranged dump, but no flattened record holds them");
        }
        return out;
    }

    private long u64le(long dumpOffset) throws DumpFormatException {
        return java.nio.ByteBuffer.wrap(read(dumpOffset, 8)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Override
    public Optional<String> vmcoreinfo() throws DumpFormatException {
        byte[] head = read(0, 12);
        if (!new String(head, 0, 8, java.nio.charset.StandardCharsets.ISO_8859_1).equals(DiskDump.SIGNATURE)) {
            throw new DumpFormatException(bytes.path(), segments.isEmpty() ? HEADER_SIZE : segments.getFirst().fileOffset(),
                    "expected the flattened stream to carry a \"KDUMP   \" disk_dump_header at dump offset 0");
        }
        int version = java.nio.ByteBuffer.wrap(head, 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        if (version < 3) {
            return Optional.empty();
        }
        int blockSize = java.nio.ByteBuffer.wrap(read(DiskDump.BLOCK_SIZE, 4)).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        long off = u64le(blockSize + (long) DiskDump.SUB_OFFSET_VMCOREINFO);
        long size = u64le(blockSize + (long) DiskDump.SUB_SIZE_VMCOREINFO);
        if (off == 0 || size == 0) {
            return Optional.empty();
        }
        String s = new String(read(off, (int) size), java.nio.charset.StandardCharsets.ISO_8859_1);
        int nul = s.indexOf('\0');
        return Optional.of(nul < 0 ? s : s.substring(0, nul));
    }

    /** Page reads need the rearranged file; the flattened stream gives its notes only. */
    @Override
    public PhysicalMemory memory() throws DumpFormatException {
        throw new DumpFormatException(bytes.path(), HEADER_SIZE,
                "expected a seekable dump for page reads; rearrange this flattened stream with makedumpfile -R OUT < FILE");
    }

    @Override
    public void close() {
        arena.close();
    }
}
