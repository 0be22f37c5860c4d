package dev.kdive.arch.x86_64;

/**
 * Where the x86-64 kernel put things (Documentation/arch/x86/x86_64/mm.rst): the kernel image at
 * {@code __START_KERNEL_map} plus the KASLR offset, modules above it, and the direct map, vmalloc
 * and vmemmap areas at bases that KASLR randomizes ({@code page_offset_base}, {@code vmalloc_base},
 * {@code vmemmap_base}, read from the dump).
 *
 * @param kaslrOffset       VMCOREINFO KERNELOFFSET: how far the image moved from its link address
 * @param physBase          VMCOREINFO NUMBER(phys_base): physical address minus link offset of the image (may be negative)
 * @param kernelImageSize   VMCOREINFO NUMBER(KERNEL_IMAGE_SIZE): the image area, after which modules start
 */
public record KernelLayout(long kaslrOffset, long physBase, long kernelImageSize, boolean fiveLevel,
                           long pageOffsetBase, long vmallocBase, long vmemmapBase) {
    /** The link-time virtual address of physical 0 in the kernel image mapping (asm/page_64_types.h). */
    public static final long START_KERNEL_MAP = 0xffff_ffff_8000_0000L;

    /** {@return whether the address is in the kernel image's mapping: what KASLR moves (per-cpu offsets, below it, do not move)} */
    public static boolean inImage(long address) {
        return Long.compareUnsigned(address, START_KERNEL_MAP) >= 0;
    }
    /** The end of the modules area (asm/pgtable_64_types.h MODULES_END, without KASAN's shift). */
    public static final long MODULES_END = 0xffff_ffff_ff00_0000L;
    /** Non-KASLR bases, used until the dump's own variables are read. */
    public static final long DEFAULT_PAGE_OFFSET = 0xffff_8880_0000_0000L;
    public static final long DEFAULT_PAGE_OFFSET_L5 = 0xff11_0000_0000_0000L;

    /** {@return the physical address of a kernel-image virtual address, without walking page tables} */
    public long imagePhysical(long vaddr) {
        return vaddr - START_KERNEL_MAP + physBase;
    }

    public long modulesStart() {
        return START_KERNEL_MAP + kernelImageSize;
    }

    /** {@return the direct-map address of a physical address (crash's ptov)} */
    public long directMap(long phys) {
        return pageOffsetBase + phys;
    }

    /** {@return whether {@code vaddr} is above the user half (the top bit set)} */
    public static boolean kernelHalf(long vaddr) {
        return vaddr < 0;
    }

    /** {@return the area of the kernel address space {@code vaddr} falls in, in mm.rst's words} */
    public String region(long vaddr) {
        if (!kernelHalf(vaddr)) {
            return "user";
        }
        if (Long.compareUnsigned(vaddr, START_KERNEL_MAP) >= 0) {
            if (Long.compareUnsigned(vaddr, modulesStart()) < 0) {
                return "kernel image";
            }
            return Long.compareUnsigned(vaddr, MODULES_END) < 0 ? "modules" : "fixmap";
        }
        // The three randomized areas are placed in this order (arch/x86/mm/kaslr.c).
        if (Long.compareUnsigned(vaddr, pageOffsetBase) < 0) {
            return "kernel (below the direct map)";
        }
        if (Long.compareUnsigned(vaddr, vmallocBase) < 0) {
            return "direct map";
        }
        if (Long.compareUnsigned(vaddr, vmemmapBase) < 0) {
            return "vmalloc";
        }
        return "vmemmap";
    }
}
