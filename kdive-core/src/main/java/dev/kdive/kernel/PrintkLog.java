package dev.kdive.kernel;

import dev.kdive.finding.Finding;
import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.MemoryFault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel log as the lockless printk ring buffer holds it (kernel/printk/printk_ringbuffer.h,
 * 5.10+): a descriptor ring of {@code prb_desc} (state and id in one word, text block positions)
 * with a parallel array of {@code printk_info} (sequence, timestamp, text length), and a data ring
 * of text blocks, each prefixed by its descriptor id. Every offset comes from VMCOREINFO, which
 * exports this layout for dump tools.
 */
public final class PrintkLog {
    private static final int DESC_STATE_SHIFT = 62; // DESC_FLAGS_SHIFT: state in the top two bits
    private static final long DESC_ID_MASK = ~(3L << DESC_STATE_SHIFT);
    private static final int COMMITTED = 1;
    private static final int FINALIZED = 2;

    /** One log record. */
    /** @param level the record's log level (0 emergency .. 7 debug), -1 when the layout is not known */
    public record Entry(long sequence, long timestampNanos, String text, int level) {
        public Entry(long sequence, long timestampNanos, String text) {
            this(sequence, timestampNanos, text, -1);
        }

        /** {@return the "[    5.280949] " the console and dmesg print before the record (kernel/printk/printk.c print_time())} */
        public String timestamp() {
            return String.format("[%5d.%06d] ", timestampNanos / 1_000_000_000L, timestampNanos % 1_000_000_000L / 1000);
        }
    }

    /** The records that could be read, and what stopped the rest. */
    public record Log(List<Entry> entries, List<Finding> problems) {}

    private PrintkLog() {
    }

    /** {@return the log records from oldest to newest; unreadable records are named in {@code problems}} */
    public static Log read(AddressSpace kernel, Map<String, String> info) {
        return read(kernel, info, -1, 0);
    }

    /**
     * As {@link #read(AddressSpace, Map)}, with each record's level: VMCOREINFO does not export the
     * {@code printk_info.level} bitfield, so its bit offset and width come from the dump's types.
     */
    public static Log read(AddressSpace kernel, Map<String, String> info, long levelBitOffset, int levelBits) {
        List<Finding> problems = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        try {
            Layout l = new Layout(info);
            long prb = kernel.u64(l.sym("prb"));
            long descRing = prb + l.off("printk_ringbuffer.desc_ring");
            long dataRing = prb + l.off("printk_ringbuffer.text_data_ring");
            int countBits = (int) kernel.u32(descRing + l.off("prb_desc_ring.count_bits"));
            long descs = kernel.u64(descRing + l.off("prb_desc_ring.descs"));
            long infos = kernel.u64(descRing + l.off("prb_desc_ring.infos"));
            long head = kernel.u64(descRing + l.off("prb_desc_ring.head_id"));
            long tail = kernel.u64(descRing + l.off("prb_desc_ring.tail_id"));
            int sizeBits = (int) kernel.u32(dataRing + l.off("prb_data_ring.size_bits"));
            long data = kernel.u64(dataRing + l.off("prb_data_ring.data"));
            if (countBits <= 0 || countBits > 30 || sizeBits <= 0 || sizeBits > 40) {
                problems.add(new dev.kdive.finding.Inconsistent("printk ring buffer", prb, "count_bits 1..30, size_bits 1..40",
                        "count_bits " + countBits + ", size_bits " + sizeBits, List.of()));
                return new Log(entries, problems);
            }
            long count = 1L << countBits;
            long dataSize = 1L << sizeBits;
            long descSize = l.size("prb_desc");
            long infoSize = l.size("printk_info");
            long ids = ((head - tail) & DESC_ID_MASK) + 1;
            // each member's offset looked up once, not once a record
            long stateVar = l.off("prb_desc.state_var");
            long textBlk = l.off("prb_desc.text_blk_lpos");
            long lposBegin = l.off("prb_data_blk_lpos.begin");
            long lposNext = l.off("prb_data_blk_lpos.next");
            long infoSeq = l.off("printk_info.seq");
            long infoTs = l.off("printk_info.ts_nsec");
            long infoLen = l.off("printk_info.text_len");
            for (long n = 0, id = tail; n < Math.min(ids, count); n++, id = (id + 1) & DESC_ID_MASK) {
                long index = id & (count - 1);
                long desc = descs + index * descSize;
                try {
                    long state = kernel.u64(desc + stateVar);
                    int s = (int) (state >>> DESC_STATE_SHIFT);
                    if ((state & DESC_ID_MASK) != id || (s != COMMITTED && s != FINALIZED)) {
                        continue; // reserved, reused or never written: not a record (yet)
                    }
                    long blk = desc + textBlk;
                    long begin = kernel.u64(blk + lposBegin);
                    long next = kernel.u64(blk + lposNext);
                    long info1 = infos + index * infoSize;
                    long seq = kernel.u64(info1 + infoSeq);
                    long ts = kernel.u64(info1 + infoTs);
                    int len = kernel.u16(info1 + infoLen);
                    if ((begin & 1) != 0 || begin == next) {
                        entries.add(new Entry(seq, ts, "", level(kernel, info1, levelBitOffset, levelBits))); // data-less record
                        continue;
                    }
                    // A block that wraps starts again at the data ring's beginning (DATA_WRAPS differ).
                    long start = (begin >>> sizeBits) == (next >>> sizeBits) ? begin & (dataSize - 1) : 0;
                    long text = data + start + 8; // after the block's descriptor id
                    len = (int) Math.min(len, dataSize - start - 8);
                    entries.add(new Entry(seq, ts, AddressSpace.latin1(kernel.read(text, len)),
                            level(kernel, info1, levelBitOffset, levelBits)));
                } catch (MemoryFault f) {
                    problems.add(dev.kdive.finding.UnreadableMemory.of("log record id " + id, f));
                }
            }
        } catch (MemoryFault f) {
            problems.add(dev.kdive.finding.UnreadableMemory.of("printk ring buffer", f));
        } catch (IllegalArgumentException e) {
            problems.add(new dev.kdive.finding.Unavailable("kernel log", e.getMessage()));
        }
        entries.sort(java.util.Comparator.comparingLong(Entry::sequence));
        return new Log(entries, problems);
    }

    private static int level(AddressSpace kernel, long info, long bitOffset, int bits) throws MemoryFault {
        if (bitOffset < 0 || bits <= 0) {
            return -1;
        }
        int b = kernel.u8(info + bitOffset / 8);
        return (b >>> (bitOffset % 8)) & ((1 << bits) - 1);
    }

    /** VMCOREINFO lookups that fail with the missing key named. */
    private record Layout(Map<String, String> info) {
        long sym(String name) {
            return Long.parseUnsignedLong(get("SYMBOL(" + name + ")"), 16);
        }

        long off(String member) {
            return Long.parseLong(get("OFFSET(" + member + ")"));
        }

        long size(String type) {
            return Long.parseLong(get("SIZE(" + type + ")"));
        }

        private String get(String key) {
            String v = info.get(key);
            if (v == null) {
                throw new IllegalArgumentException("VMCOREINFO has no " + key + ": the printk log cannot be located");
            }
            return v;
        }
    }
}
