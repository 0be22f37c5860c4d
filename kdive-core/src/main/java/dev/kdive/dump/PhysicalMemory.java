package dev.kdive.dump;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Physical memory as one dump holds it, page by page. Pages are decoded on demand; what a dump
 * lacks comes back as a {@link Page} value saying why.
 */
public sealed interface PhysicalMemory permits ElfMemory, DiskDumpMemory {
    int PAGE_SIZE = 4096;

    /** {@return the page frame {@code pfn}: its bytes, or why the dump does not have them} */
    Page page(long pfn);

    /** {@return one past the highest page frame number the dump describes} */
    long maxPfn();

    /** {@return how many of the pages below {@link #maxPfn()} the dump has, filtered out, or never had} */
    Census census();

    /**
     * Copies {@code length} bytes at physical address {@code phys} into {@code dst}, page by page.
     *
     * @throws MemoryFault naming the first page the dump does not have
     * @throws java.util.concurrent.CancellationException when the reading thread was interrupted:
     *         every walk of the kernel reads through here, so an interrupt (Ctrl-C at the shell)
     *         ends a whole-memory scan or a {@code foreach bt} at its next page
     */
    default void read(long phys, byte[] dst, int offset, int length) throws MemoryFault {
        if (Thread.currentThread().isInterrupted()) {
            throw new java.util.concurrent.CancellationException("interrupted");
        }
        while (length > 0) {
            int inPage = (int) (phys & (PAGE_SIZE - 1));
            int n = Math.min(length, PAGE_SIZE - inPage);
            switch (page(phys >>> 12)) {
                case Page.Data d -> MemorySegment.copy(d.bytes(), ValueLayout.JAVA_BYTE, inPage, dst, offset, n);
                case Page.Excluded e -> throw new MemoryFault(MemoryFault.Space.PHYSICAL, phys, "page " + e.why());
                case Page.Absent a -> throw new MemoryFault(MemoryFault.Space.PHYSICAL, phys, "page not in the dump (" + a.why() + ")");
                case Page.Corrupt c -> throw new MemoryFault(MemoryFault.Space.PHYSICAL, phys, "page unreadable: " + c.why());
            }
            phys += n;
            offset += n;
            length -= n;
        }
    }

    /** {@return the little-endian 64-bit word at physical address {@code phys}} */
    default long u64(long phys) throws MemoryFault {
        byte[] b = new byte[8];
        read(phys, b, 0, 8);
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Page counts of a dump, read from its index (segments or bitmaps) without decoding a page. */
    record Census(long present, long excluded, long absent) {}
}
