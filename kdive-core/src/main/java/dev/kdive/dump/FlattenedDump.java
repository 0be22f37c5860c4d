package dev.kdive.dump;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * makedumpfile's flattened stream (what {@code makedumpfile -F} and QEMU's kdump formats write):
 * a 4096-byte {@code makedumpfile_header} ("makedumpfile" signature, type, version), then records
 * of {@code makedumpfile_data_header} (big-endian int64 offset, int64 buf_size) each followed by
 * buf_size bytes that belong at that offset of the kdump-compressed file; offset -1 ends the
 * stream (makedumpfile.h, MAX_SIZE_MDF_HEADER and END_FLAG_FLAT_HEADER). The records are indexed
 * once; the standard diskdump they describe is then read through that index, no copy made.
 */
public record FlattenedDump(DumpFile.Bytes bytes, Arena arena, List<Segment> segments, DiskDump diskdump)
        implements DumpFile {
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
        // Stable sort: at equal offsets the record later in the stream wins, as when -R replays it.
        List<Segment> sorted = segs.stream().sorted(Comparator.comparingLong(Segment::dumpOffset)).toList();
        long size = sorted.stream().mapToLong(s -> s.dumpOffset() + s.length()).max().orElse(0);
        Rearranged input = new Rearranged(b, sorted, size);
        input.require(0, 8, "a disk_dump_header at dump offset 0 of the flattened stream");
        if (!input.cstring(0, 8).equals(DiskDump.SIGNATURE)) {
            throw new DumpFormatException(b.path(), sorted.isEmpty() ? HEADER_SIZE : sorted.getFirst().fileOffset(),
                    "expected the flattened stream to carry a \"KDUMP   \" disk_dump_header at dump offset 0");
        }
        return new FlattenedDump(b, arena, List.copyOf(segs), DiskDump.parse(input, arena));
    }

    /** The standard diskdump file a flattened stream describes, read through the record index. */
    record Rearranged(DumpFile.Bytes file, List<Segment> sorted, long size) implements DumpFile.Input {
        @Override
        public Path path() {
            return file.path();
        }

        /** The index of the last record starting at or below {@code offset}, or -1. */
        private int floor(long offset) {
            int lo = 0;
            int hi = sorted.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (sorted.get(mid).dumpOffset() <= offset) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return hi;
        }

        @Override
        public MemorySegment slice(long offset, long length) {
            int i = floor(offset);
            if (i >= 0) {
                Segment s = sorted.get(i);
                if (offset + length <= s.dumpOffset() + s.length()) {
                    return file.segment().asSlice(s.fileOffset() + offset - s.dumpOffset(), length);
                }
            }
            // Spans records, or falls in a gap (never written: reads as zeros, like -R's sparse file).
            byte[] out = new byte[Math.toIntExact(length)];
            for (int k = Math.max(i, 0); k < sorted.size() && sorted.get(k).dumpOffset() < offset + length; k++) {
                Segment s = sorted.get(k);
                long from = Math.max(offset, s.dumpOffset());
                long to = Math.min(offset + length, s.dumpOffset() + s.length());
                if (from < to) {
                    MemorySegment.copy(file.segment(), ValueLayout.JAVA_BYTE, s.fileOffset() + from - s.dumpOffset(),
                            out, (int) (from - offset), (int) (to - from));
                }
            }
            return MemorySegment.ofArray(out);
        }
    }

    @Override
    public Path path() {
        return bytes.path();
    }

    @Override
    public String formatName() {
        return "makedumpfile flattened";
    }

    @Override
    public Optional<String> vmcoreinfo() throws DumpFormatException {
        return diskdump.vmcoreinfo();
    }

    @Override
    public List<Note> notes() throws DumpFormatException {
        return diskdump.notes();
    }

    @Override
    public PhysicalMemory memory() throws DumpFormatException {
        return diskdump.memory();
    }

    @Override
    public void close() {
        arena.close();
    }
}
