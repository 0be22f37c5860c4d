package dev.kdive.kernel;

import java.util.List;

/**
 * One SLUB cache, {@code struct kmem_cache} (include/linux/slub_def.h), as read from the dump.
 *
 * @param address        the kmem_cache
 * @param objectSize     {@code object_size}: what the user asked for
 * @param size           {@code size}: the stride of objects in a slab, metadata included
 * @param redLeftPad     {@code red_left_pad}: bytes of left red zone before each object (slub_debug=Z)
 * @param objectsPerSlab from {@code oo} (mm/slub.c OO_SHIFT 16: objects in the low bits, page order above)
 * @param cpuSlab        {@code cpu_slab}: the per-cpu offset of the {@code kmem_cache_cpu}s
 * @param nodes          {@code node[]}: the {@code kmem_cache_node} of each NUMA node (0 where absent)
 */
public record SlabCache(long address, String name, int objectSize, int size, int inuse, int redLeftPad, long flags,
                        int objectsPerSlab, int order, long cpuSlab, List<Long> nodes, FreePointer freePointer) {

    /** {@return bytes per slab} */
    public long slabBytes() {
        return 4096L << order;
    }
}
