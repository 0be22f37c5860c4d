package dev.kdive.kernel;

/**
 * A slab: {@code struct slab} (mm/slab.h, 5.17+) or the {@code struct page} it overlays on older
 * kernels, with the memory its objects live in.
 *
 * @param address  the struct slab / struct page (in the vmemmap)
 * @param memory   the direct-map address of its first byte of objects
 * @param cache    {@code slab_cache}
 * @param freelist {@code freelist}: the first free object, a plain pointer
 * @param inuse    objects not on {@code freelist} (for a CPU's slab: all but remote frees)
 * @param next     {@code next}: the next slab on a CPU's partial list
 */
public record Slab(long address, long memory, long cache, long freelist, int inuse, int objects, boolean frozen, long next) {

    /** {@return whether {@code pointer} is the start of one of this slab's objects (mm/slub.c check_valid_pointer)} */
    public boolean holdsObject(SlabCache c, long pointer) {
        long d = pointer - memory - c.redLeftPad();
        return Long.compareUnsigned(pointer - memory, (long) objects * c.size()) < 0 && d >= 0 && d % c.size() == 0;
    }

    /** {@return whether {@code pointer} lies inside this slab's objects at all} */
    public boolean spans(SlabCache c, long pointer) {
        return Long.compareUnsigned(pointer - memory, (long) objects * c.size()) < 0;
    }

    /** {@return the object of this slab that {@code pointer} falls in} */
    public long objectOf(SlabCache c, long pointer) {
        long i = Long.divideUnsigned(pointer - memory - c.redLeftPad(), c.size());
        return object(c, (int) i);
    }

    /** {@return the address of object {@code i}} */
    public long object(SlabCache c, int i) {
        return memory + c.redLeftPad() + (long) i * c.size();
    }
}
