package dev.kdive.dump;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import io.airlift.compress.v3.MalformedInputException;
import io.airlift.compress.v3.snappy.SnappyJavaDecompressor;
import io.airlift.compress.v3.zstd.ZstdJavaDecompressor;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Physical memory of a kdump-compressed file (makedumpfile's IMPLEMENTATION and diskdump_mod.h):
 * after the header and sub-header come two bitmaps of equal size (1st: pages that exist,
 * 2nd: pages written), then one {@code page_desc_t} (offset, size, flags, page_flags: 24 bytes)
 * per written page in pfn order, then the page data. The descriptor of a pfn is found by counting
 * the 2nd bitmap's set bits below it; those counts are built once per dump.
 */
public final class DiskDumpMemory implements PhysicalMemory {
    private static final int DESC_SIZE = 24;
    private static final int ZLIB = 0x1;
    private static final int LZO = 0x2;
    private static final int SNAPPY = 0x4;
    private static final int ZSTD = 0x20;
    private static final int CACHE_PAGES = 2048;

    private final DiskDump dump;
    private final long maxPfn;
    private final long bitmap1;
    private final long bitmap2;
    private final long descriptors;
    private final int[] rank;
    private final int dumpLevel; // set bits of the 2nd bitmap before each 64-bit word
    private final Map<Long, Page> cache = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Page> e) {
            return size() > CACHE_PAGES;
        }
    };

    private DiskDumpMemory(DiskDump dump, long maxPfn, long bitmap1, long bitmap2, long descriptors, int[] rank, int dumpLevel) {
        this.dumpLevel = dumpLevel;
        this.dump = dump;
        this.maxPfn = maxPfn;
        this.bitmap1 = bitmap1;
        this.bitmap2 = bitmap2;
        this.descriptors = descriptors;
        this.rank = rank;
    }

    static DiskDumpMemory of(DiskDump d) throws DumpFormatException {
        DumpFile.Input b = d.input();
        long block = d.header().blockSize();
        long subHdrBlocks = b.u32le(DiskDump.BLOCK_SIZE + 4);
        long bitmapBlocks = b.u32le(DiskDump.BLOCK_SIZE + 8);
        long maxPfn = b.u32le(DiskDump.BLOCK_SIZE + 12);
        if (d.header().version() >= 6) {
            b.require(block + 104, 8, "kdump_sub_header.max_mapnr_64");
            maxPfn = b.u64le(block + 96);
        }
        long bitmap1 = block * (1 + subHdrBlocks);
        long half = bitmapBlocks * block / 2;
        b.require(bitmap1, 2 * half, "the two page bitmaps (" + bitmapBlocks + " blocks)");
        if (half * 8 < maxPfn) {
            throw new DumpFormatException(d.path(), DiskDump.BLOCK_SIZE + 8,
                    "expected bitmaps covering max_mapnr " + maxPfn + " pages, found " + half * 8 + " bits each");
        }
        long bitmap2 = bitmap1 + half;
        long words = (maxPfn + 63) / 64;
        int[] rank = new int[(int) words + 1];
        for (long w = 0; w < words; w++) {
            rank[(int) w + 1] = rank[(int) w] + Long.bitCount(b.u64le(bitmap2 + w * 8));
        }
        b.require(block + 12, 4, "kdump_sub_header.dump_level");
        int dumpLevel = (int) b.u32le(block + 8);
        return new DiskDumpMemory(d, maxPfn, bitmap1, bitmap2, bitmap1 + 2 * half, rank, dumpLevel);
    }

    private boolean bit(long bitmap, long pfn) {
        return (dump.input().u8(bitmap + pfn / 8) & (1 << (pfn % 8))) != 0;
    }

    @Override
    public Census census() {
        DumpFile.Input b = dump.input();
        long inMemory = 0;
        long words = (maxPfn + 63) / 64;
        for (long w = 0; w < words; w++) {
            long mask = w == words - 1 && maxPfn % 64 != 0 ? (1L << (maxPfn % 64)) - 1 : -1L;
            inMemory += Long.bitCount(b.u64le(bitmap1 + w * 8) & mask);
        }
        long written = rank[(int) words];
        return new Census(written, inMemory - written, maxPfn - inMemory);
    }

    @Override
    public long maxPfn() {
        return maxPfn;
    }

    @Override
    public synchronized Page page(long pfn) {
        if (pfn < 0 || pfn >= maxPfn) {
            return new Page.Absent(pfn, "pfn 0x" + Long.toHexString(pfn) + " is beyond the dump's max_mapnr 0x" + Long.toHexString(maxPfn));
        }
        if (!bit(bitmap2, pfn)) {
            return bit(bitmap1, pfn)
                    ? new Page.Excluded(pfn, "excluded by makedumpfile -d " + dumpLevel)
                    : new Page.Absent(pfn, "not RAM in the dumped system (a hole in the 1st bitmap)");
        }
        return cache.computeIfAbsent(pfn, this::decode);
    }

    private Page decode(long pfn) {
        DumpFile.Input b = dump.input();
        int word = (int) (pfn / 64);
        long below = b.u64le(bitmap2 + word * 8L) & ((1L << (pfn % 64)) - 1);
        long index = rank[word] + Long.bitCount(below);
        long desc = descriptors + index * DESC_SIZE;
        if (desc + DESC_SIZE > b.size()) {
            return corrupt(pfn, desc, "a page_desc_t past the end of the file (truncated?)");
        }
        long offset = b.u64le(desc);
        long size = b.u32le(desc + 8);
        int flags = (int) b.u32le(desc + 12);
        if (offset <= 0 || size <= 0 || size > PAGE_SIZE || offset + size > b.size()) {
            return corrupt(pfn, desc, "a page_desc_t with data inside the file, found offset 0x" + Long.toHexString(offset)
                    + " size " + size + (offset + size > b.size() ? " (file truncated?)" : ""));
        }
        MemorySegment data = b.slice(offset, size);
        if ((flags & (ZLIB | LZO | SNAPPY | ZSTD)) == 0) {
            if (size != PAGE_SIZE) {
                return corrupt(pfn, desc, "an uncompressed page of 4096 bytes, found " + size);
            }
            return new Page.Data(pfn, data);
        }
        byte[] in = data.toArray(ValueLayout.JAVA_BYTE);
        byte[] out = new byte[PAGE_SIZE];
        try {
            int n;
            if ((flags & ZLIB) != 0) {
                Inflater inf = new Inflater();
                try {
                    inf.setInput(in);
                    n = inf.inflate(out);
                } finally {
                    inf.end();
                }
            } else if ((flags & LZO) != 0) {
                n = Lzo1x.decompress(in, out);
            } else if ((flags & SNAPPY) != 0) {
                n = new SnappyJavaDecompressor().decompress(in, 0, in.length, out, 0, out.length);
            } else {
                n = new ZstdJavaDecompressor().decompress(in, 0, in.length, out, 0, out.length);
            }
            if (n != PAGE_SIZE) {
                return corrupt(pfn, offset, "a page decompressing to 4096 bytes, got " + n);
            }
        } catch (DataFormatException | IllegalArgumentException | MalformedInputException | IndexOutOfBoundsException e) {
            return corrupt(pfn, offset, "valid " + compression(flags) + " data: " + e.getMessage());
        }
        return new Page.Data(pfn, MemorySegment.ofArray(out));
    }

    /** {@return makedumpfile's dump level (-d): which page kinds were filtered out} */
    public int dumpLevel() {
        return dumpLevel;
    }

    /** {@return the compression of the first written page, in makedumpfile's words ("zlib", "lzo", ...)} */
    public String compression() {
        long desc = descriptors;
        DumpFile.Input b = dump.input();
        return rank[rank.length - 1] == 0 || desc + DESC_SIZE > b.size() ? "none" : compression((int) b.u32le(desc + 12));
    }

    /** {@return the page_desc_t.flags compression in makedumpfile's words} */
    static String compression(int flags) {
        if ((flags & ZLIB) != 0) {
            return "zlib";
        }
        if ((flags & LZO) != 0) {
            return "lzo";
        }
        if ((flags & SNAPPY) != 0) {
            return "snappy";
        }
        return (flags & ZSTD) != 0 ? "zstd" : "none";
    }

    private Page corrupt(long pfn, long offset, String expected) {
        return new Page.Corrupt(pfn, dump.path() + ": at offset 0x" + Long.toHexString(offset) + " (pfn 0x"
                + Long.toHexString(pfn) + "): expected " + expected);
    }
}
