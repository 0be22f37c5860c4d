package dev.kdive.kernel;

import dev.kdive.arch.Translation;
import dev.kdive.arch.x86_64.KernelLayout;
import dev.kdive.arch.x86_64.PageTables;
import dev.kdive.dump.Page;
import dev.kdive.dump.PhysicalMemory;
import dev.kdive.program.Program;
import dev.kdive.value.Hex;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * crash's {@code search}: every place in memory that holds a value (an aligned 8-, 4- or 2-byte
 * word, under a mask) or a string, page by page over what the dump holds: kernel virtual ranges
 * through the kernel's page tables (pages the dump lacks and unmapped ranges are skipped, a whole
 * missing table at a time), or physical memory. A string is matched anywhere, across a page
 * boundary too, and shown with up to 56 bytes from its start, as crash shows it.
 */
public final class MemorySearch {
    /** How much of a string hit is shown: crash's CHARS_CTX. */
    public static final int CONTEXT = 56;

    private MemorySearch() {
    }

    /** What to look for: a value of {@code width} bytes whose bits under {@code mask} equal it, or a string. */
    public sealed interface Target {
        record Value(@Hex long value, @Hex long mask, int width) implements Target {}

        record Chars(String text) implements Target {}
    }

    /** One match: where, and the word found there (a value search) or the text from there on (a string search). */
    public record Hit(@Hex long address, @Hex long value, String context) {}

    /** A virtual range to search, [start, end). */
    public record Range(@Hex long start, @Hex long end) {}

    /**
     * {@return the kernel's virtual ranges crash's {@code search -k} covers, lowest first}: the direct
     * map of all of RAM, vmalloc space, the kernel image's mapping up to {@code _end} (past it the
     * 2 MiB pages that map the image's tail alias other memory the direct map already covers) and
     * the module area.
     */
    public static List<Range> kernelRanges(Program p) {
        KernelLayout l = p.layout();
        long ram = p.memory().maxPfn() * PhysicalMemory.PAGE_SIZE;
        long imageEnd = p.symbolNamed("_end").map(dev.kdive.symbols.Symbol::address).orElse(l.modulesStart());
        return List.of(new Range(l.pageOffsetBase(), l.pageOffsetBase() + ram), new Range(l.vmallocBase(), l.vmemmapBase()),
                new Range(KernelLayout.START_KERNEL_MAP, imageEnd), new Range(l.modulesStart(), KernelLayout.MODULES_END));
    }

    /**
     * {@return the hits in the virtual ranges, in address order, at most {@code limit}}
     *
     * @param tables the page tables to translate through (the kernel's, or a process's)
     */
    public static List<Hit> virtual(Program p, PageTables tables, List<Range> ranges, Target target, int limit) {
        List<Hit> hits = new ArrayList<>();
        Scanner s = new Scanner(target, hits, limit);
        for (Range r : ranges) {
            long a = r.start() & ~0xfffL;
            while (Long.compareUnsigned(a, r.end()) < 0 && hits.size() < limit) {
                Translation t = tables.translate(a);
                if (t instanceof Translation.Mapped m) {
                    s.page(p.memory().page(m.physical() >>> 12), a, Math.max(r.start(), a), r.end());
                    a += PhysicalMemory.PAGE_SIZE;
                } else {
                    s.gap();
                    // skip what the missing entry covers: a whole table below a top-level hole
                    int missing = t.walk().size();
                    long span = 1L << (12 + 9 * ((tables.fiveLevel() ? 5 : 4) - missing));
                    long next = (a & ~(span - 1)) + span;
                    a = next == 0 ? r.end() : next; // the top of the address space ends the range
                }
            }
            s.gap();
        }
        return hits;
    }

    /** {@return the hits in physical memory [start, end), in address order, at most {@code limit}} */
    public static List<Hit> physical(Program p, long start, long end, Target target, int limit) {
        List<Hit> hits = new ArrayList<>();
        Scanner s = new Scanner(target, hits, limit);
        long last = Math.min(end, p.memory().maxPfn() * PhysicalMemory.PAGE_SIZE);
        for (long a = start & ~0xfffL; a < last && hits.size() < limit; a += PhysicalMemory.PAGE_SIZE) {
            s.page(p.memory().page(a >>> 12), a, Math.max(start, a), last);
        }
        return hits;
    }

    /** Scans page after page; a string that starts near one page's end is finished on the next, if the next follows. */
    private static final class Scanner {
        private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private final Target target;
        private final byte[] text;
        private final List<Hit> hits;
        private final int limit;
        /** The previous page's last bytes and where they sit, for strings across the boundary. */
        private byte[] tail = new byte[0];
        private long tailAddress;

        Scanner(Target target, List<Hit> hits, int limit) {
            this.target = target;
            this.text = target instanceof Target.Chars c ? c.text().getBytes(StandardCharsets.ISO_8859_1) : new byte[0];
            this.hits = hits;
            this.limit = limit;
        }

        void gap() {
            tail = new byte[0];
        }

        /** @param base the page's address; {@code from}..{@code end} the part of it searched */
        void page(Page page, long base, long from, long end) {
            if (!(page instanceof Page.Data d)) {
                gap();
                return;
            }
            MemorySegment b = d.bytes();
            int lo = (int) (from - base);
            int hi = (int) Math.min(PhysicalMemory.PAGE_SIZE, Long.compareUnsigned(end - base, PhysicalMemory.PAGE_SIZE) < 0 ? end - base
                    : PhysicalMemory.PAGE_SIZE);
            switch (target) {
                case Target.Value v -> {
                    int w = v.width();
                    for (int i = (lo + w - 1) / w * w; i + w <= hi && hits.size() < limit; i += w) {
                        long x = w == 8 ? b.get(U64, i) : w == 4 ? Integer.toUnsignedLong(b.get(U32, i)) : Short.toUnsignedLong(b.get(U16, i));
                        if ((x & v.mask()) == (v.value() & v.mask())) {
                            hits.add(new Hit(base + i, x, null));
                        }
                    }
                }
                case Target.Chars c -> chars(b, base, lo, hi);
            }
        }

        private void chars(MemorySegment b, long base, int lo, int hi) {
            int n = text.length;
            if (tail.length > 0 && tailAddress + tail.length == base + lo) { // a match that began on the previous page
                for (int i = Math.max(0, tail.length - n + 1); i < tail.length && hits.size() < limit; i++) {
                    int inTail = tail.length - i;
                    if (n > inTail && matches(tail, i, inTail, 0) && matches(b, lo, n - inTail, inTail)) {
                        byte[] ctx = new byte[Math.min(CONTEXT, inTail + hi - lo)];
                        System.arraycopy(tail, i, ctx, 0, inTail);
                        MemorySegment.copy(b, ValueLayout.JAVA_BYTE, lo, ctx, inTail, ctx.length - inTail);
                        hits.add(new Hit(tailAddress + i, 0, printable(ctx)));
                    }
                }
            }
            for (int i = lo; i + n <= hi && hits.size() < limit; i++) {
                if (b.get(ValueLayout.JAVA_BYTE, i) == text[0] && matches(b, i, n, 0)) {
                    byte[] ctx = new byte[Math.min(CONTEXT, hi - i)];
                    MemorySegment.copy(b, ValueLayout.JAVA_BYTE, i, ctx, 0, ctx.length);
                    hits.add(new Hit(base + i, 0, printable(ctx)));
                }
            }
            int keep = Math.min(n - 1, hi - lo);
            tail = new byte[keep];
            MemorySegment.copy(b, ValueLayout.JAVA_BYTE, hi - keep, tail, 0, keep);
            tailAddress = base + hi - keep;
        }

        private boolean matches(MemorySegment b, int at, int count, int textFrom) {
            for (int k = 0; k < count; k++) {
                if (b.get(ValueLayout.JAVA_BYTE, at + k) != text[textFrom + k]) {
                    return false;
                }
            }
            return true;
        }

        private boolean matches(byte[] b, int at, int count, int textFrom) {
            for (int k = 0; k < count; k++) {
                if (b[at + k] != text[textFrom + k]) {
                    return false;
                }
            }
            return true;
        }

        private static String printable(byte[] ctx) {
            StringBuilder s = new StringBuilder(ctx.length);
            for (byte c : ctx) {
                s.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
            }
            return s.toString();
        }
    }
}
