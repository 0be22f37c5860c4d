package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * A scalable bitmap queue (include/linux/sbitmap.h, lib/sbitmap.c): blk-mq's tag allocator. What
 * the kernel's own {@code sbitmap_queue_show()} reports (depth, busy and cleared bits, per-CPU
 * allocation hints, wake state of its SBQ_WAIT_QUEUES wait queues) and the bitmap itself, with
 * cleared bits taken out, as crash's {@code sbitmapq} prints them.
 */
public final class Sbitmaps {
    /** include/linux/sbitmap.h */
    private static final int SBQ_WAIT_QUEUES = 8;

    private Sbitmaps() {
    }

    public record WaitState(long waitCount, boolean active) {}

    /**
     * @param bitmap the bitmap's bytes, lowest bit first, words cut to their depth (the last word may be short)
     */
    public record Queue(@Hex long address, long depth, long busy, long cleared, long bitsPerWord, long mapNr, List<Long> allocHints,
                        long wakeBatch, long wakeIndex, long wsActive, List<WaitState> waitStates, long roundRobin, long minShallowDepth,
                        byte[] bitmap) {}

    public static Queue of(Program p, long address) throws MemoryFault, UnknownSymbolException {
        KernelObject q = KernelObject.at(p, "sbitmap_queue", address);
        long depth = q.read("sb.depth");
        int shift = (int) q.read("sb.shift");
        long mapNr = q.read("sb.map_nr");
        if (shift > 6 || mapNr > (1 << 20)) {
            throw new MemoryFault(MemoryFault.Space.KERNEL, address, "not a sbitmap_queue: shift " + shift + ", map_nr " + mapNr);
        }
        long map = q.read("sb.map");
        KernelObject word0 = KernelObject.at(p, "sbitmap_word", 0);
        long wordSize = word0.struct().size();
        boolean hasCleared = word0.struct().member("cleared").isPresent();
        long weight = 0;
        long cleared = 0;
        List<Byte> bytes = new ArrayList<>();
        int acc = 0;
        int accBits = 0;
        for (long i = 0; i < mapNr; i++) {
            KernelObject w = KernelObject.at(p, "sbitmap_word", map + i * wordSize);
            long bits = i == mapNr - 1 ? depth - (i << shift) : 1L << shift;
            long mask = bits >= 64 ? -1L : (1L << bits) - 1;
            long word = w.read("word") & mask;
            long c = hasCleared ? w.read("cleared") & mask : 0;
            weight += Long.bitCount(word);
            cleared += Long.bitCount(c);
            long v = word & ~c;
            for (long left = bits; left > 0; ) { // pack the word's bits into bytes, as the kernel's sbitmap_bitmap_show does
                int take = (int) Math.min(8 - accBits, left);
                acc |= (int) ((v & ((1L << take) - 1)) << accBits);
                accBits += take;
                if (accBits == 8) {
                    bytes.add((byte) acc);
                    acc = 0;
                    accBits = 0;
                }
                v >>>= take;
                left -= take;
            }
        }
        if (accBits > 0) {
            bytes.add((byte) acc);
        }
        List<Long> hints = new ArrayList<>();
        boolean hintInSb = q.struct().member("alloc_hint").isEmpty();
        long hint = q.read(hintInSb ? "sb.alloc_hint" : "alloc_hint");
        for (long off : p.perCpuOffsets()) {
            hints.add(p.kernel().u32(hint + off) & 0xffffffffL);
        }
        List<WaitState> states = new ArrayList<>();
        long ws = q.read("ws");
        KernelObject ws0 = KernelObject.at(p, "sbq_wait_state", 0);
        for (int i = 0; i < SBQ_WAIT_QUEUES; i++) {
            KernelObject s = KernelObject.at(p, "sbq_wait_state", ws + i * ws0.struct().size());
            long head = s.addressOf("wait.head");
            long next = p.kernel().u64(head);
            long prev = p.kernel().u64(head + 8);
            long count = ws0.struct().member("wait_cnt").isPresent() ? s.read("wait_cnt.counter") : 0;
            states.add(new WaitState(count, next != prev));
        }
        byte[] bitmap = new byte[bytes.size()];
        for (int i = 0; i < bitmap.length; i++) {
            bitmap[i] = bytes.get(i);
        }
        return new Queue(address, depth, weight - cleared, cleared, 1L << shift, mapNr, hints, q.read("wake_batch"), q.read("wake_index.counter"),
                q.struct().member("ws_active").isPresent() ? q.read("ws_active.counter") : 0, states,
                q.read(q.struct().member("round_robin").isPresent() ? "round_robin" : "sb.round_robin"),
                q.struct().member("min_shallow_depth").isPresent() ? q.read("min_shallow_depth") : 0, bitmap);
    }
}
