package dev.kdive.kernel;

import java.util.List;

/**
 * Something wrong in a SLUB cache's bookkeeping, with the chain of evidence that shows it: a value
 * the analyses and renderers consume. Addresses that do not apply are 0; {@code cpu} and
 * {@code node} are -1 when the finding is not about one CPU or node.
 *
 * @param slot    where the bad pointer was read from (0 when it came from kmem_cache_cpu or the slab itself)
 * @param stored  the raw value in that slot, as stored (encoded)
 * @param decoded the pointer it stands for
 */
public record SlabFinding(Kind kind, String cache, long cacheAddress, int cpu, int node, long slab, long object, long slot,
                          long stored, long decoded, String summary, List<String> evidence) {

    /** What kind of damage. */
    public enum Kind {
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

        Kind(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }
}
