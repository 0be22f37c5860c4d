package dev.kdive.finding;

import dev.kdive.value.Hex;
import java.util.List;

/**
 * Something wrong in a SLUB cache's bookkeeping (mm/slub.c, mm/slab.h): a free pointer that cannot
 * be one, a freelist that loops, counts that disagree, an overwritten poison or red zone.
 *
 * @param cache      the cache's name
 * @param kmemCache  its {@code struct kmem_cache}
 * @param cpu        the CPU whose per-cpu slab or freelist it is about; null when none
 * @param node       the node whose lists it is about; null when none
 * @param slab       the slab ({@code struct slab} / {@code struct page}); null when not one slab's
 * @param object     the object whose free pointer or bytes are bad; null when none
 * @param slot       where the bad pointer was read from; null when it came from kmem_cache_cpu or the slab itself
 * @param stored     the raw value in that slot, as stored (encoded); null with no slot
 * @param pointer    the pointer it stands for (decoded), or the first bad byte's address; null when none
 * @param where      the list the damage was found on ("CPU 1 per-cpu freelist", "node 0 partial list"); null when the detail says
 * @param detail     what is wrong, in words, where the fields alone do not say it (counts, which list loops); null for a
 *                   bad pointer, which the fields describe completely
 */
public record SlabDamage(Damage damage, String cache, @Hex long kmemCache, Integer cpu, Integer node, @Hex Long slab, @Hex Long object,
                         @Hex Long slot, @Hex Long stored, @Hex Long pointer, String where, String detail, List<Evidence> evidence)
        implements Finding {
    /** What kind of damage. */
    public enum Damage {
        NON_CANONICAL("non-canonical pointer"),
        OUTSIDE_SLAB("pointer outside its slab"),
        MISALIGNED("pointer not at an object start"),
        CYCLE("freelist loops"),
        DUPLICATE("object on two freelists"),
        UNREADABLE("unreadable free pointer"),
        COUNT_MISMATCH("counts disagree"),
        BAD_SLAB("slab of another cache or implausible"),
        LIST_BROKEN("slab list broken"),
        POISON_OVERWRITTEN("poison overwritten"),
        REDZONE_OVERWRITTEN("red zone overwritten");

        private final String title;

        Damage(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    public SlabDamage {
        evidence = List.copyOf(evidence);
    }

    /**
     * {@return a finding from the walk's raw values: a CPU or node below 0 and an address of 0 mean
     * "does not apply"; each evidence line is one step}
     */
    public static SlabDamage of(Damage damage, String cache, long kmemCache, int cpu, int node, long slab, long object, long slot,
                                long stored, long pointer, String where, String detail, List<Evidence> evidence) {
        return new SlabDamage(damage, cache, kmemCache, cpu < 0 ? null : cpu, node < 0 ? null : node, slab == 0 ? null : slab,
                object == 0 ? null : object, slot == 0 ? null : slot, slot == 0 ? null : stored, pointer == 0 ? null : pointer, where,
                detail, evidence);
    }

    /**
     * {@return "CACHE: WHERE: DETAIL"; a bad pointer with no detail is told from its fields: "kmalloc-192: CPU 0
     * per-cpu freelist: non-canonical pointer ffff00c6dcfcf540 (from the free pointer of OBJECT at SLOT)"}
     */
    @Override
    public String summary() {
        StringBuilder b = new StringBuilder(cache).append(": ");
        if (where != null) {
            b.append(where).append(": ");
        }
        if (detail != null) {
            return b.append(detail).toString();
        }
        b.append(damage.title());
        if (pointer != null) {
            b.append(' ').append(Long.toHexString(pointer));
        }
        if (slot != null) {
            b.append(" (from the free pointer of ").append(Long.toHexString(object == null ? 0 : object)).append(" at ")
                    .append(Long.toHexString(slot)).append(')');
        }
        return b.toString();
    }

    @Override
    public String kind() {
        return "slab." + damage.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Severity severity() {
        return damage == Damage.UNREADABLE ? Severity.UNREADABLE : Severity.CORRUPTION;
    }

    /** {@return whether the finding is about {@code cpu}'s share of the cache} */
    public boolean onCpu(int c) {
        return cpu != null && cpu == c;
    }
}
