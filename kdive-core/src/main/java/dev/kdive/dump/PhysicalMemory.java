package dev.kdive.dump;

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

    /** Page counts of a dump, read from its index (segments or bitmaps) without decoding a page. */
    record Census(long present, long excluded, long absent) {}
}
