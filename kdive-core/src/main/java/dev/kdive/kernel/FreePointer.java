package dev.kdive.kernel;

/**
 * How SLUB stores the pointer to the next free object inside a free object, {@code offset} bytes
 * from its start (mm/slub.c {@code freelist_ptr()}, {@code get_freepointer()}). With
 * CONFIG_SLAB_FREELIST_HARDENED the stored value is the pointer XORed with the cache's
 * {@code random} and the slot's own address, byte-swapped since 5.7 and plain before; the
 * per-cpu {@code kmem_cache_cpu.freelist} and {@code slab->freelist} always hold plain pointers.
 *
 * @param form   which of the kernel's encodings the cache uses
 * @param random {@code kmem_cache.random} (0 without hardening)
 * @param offset {@code kmem_cache.offset}: where in an object its free pointer lives
 */
public record FreePointer(Form form, long random, int offset) {

    /** The encodings SLUB has used. */
    public enum Form {
        /** No hardening: the slot holds the pointer. */
        PLAIN("ptr"),
        /** CONFIG_SLAB_FREELIST_HARDENED since 5.7: {@code ptr ^ s->random ^ swab(slot)}. */
        HARDENED_SWAB("ptr ^ s->random ^ swab(slot)"),
        /** CONFIG_SLAB_FREELIST_HARDENED 4.14..5.6: {@code ptr ^ s->random ^ slot}. */
        HARDENED("ptr ^ s->random ^ slot");

        private final String formula;

        Form(String formula) {
            this.formula = formula;
        }

        /** {@return the kernel's expression for the stored value} */
        public String formula() {
            return formula;
        }
    }

    /** {@return where the free pointer of the object at {@code object} is stored} */
    public long slot(long object) {
        return object + offset;
    }

    /** {@return the pointer a slot's stored value stands for} */
    public long decode(long stored, long slot) {
        return switch (form) {
            case PLAIN -> stored;
            case HARDENED_SWAB -> stored ^ random ^ Long.reverseBytes(slot);
            case HARDENED -> stored ^ random ^ slot;
        };
    }

    /** {@return the value the kernel stores in {@code slot} for {@code pointer} (the XOR is its own inverse)} */
    public long encode(long pointer, long slot) {
        return decode(pointer, slot);
    }
}
