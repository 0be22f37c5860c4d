package dev.kdive.finding;

import dev.kdive.value.Hex;
import java.util.List;

/**
 * A read the dump could not satisfy while walking something: the page was excluded by makedumpfile,
 * never dumped, or the address does not translate. What was being read is named, so a reader knows
 * what is missing from the answer.
 *
 * @param what    what kdive was reading ("task list at task_struct ffff..")
 * @param space   "kernel virtual address", "user virtual address" or "physical address"
 * @param address the address that failed
 * @param reason  why, in the dump's terms
 */
public record UnreadableMemory(String what, String space, @Hex long address, String reason, List<Evidence> evidence) implements Finding {
    public UnreadableMemory {
        evidence = List.copyOf(evidence);
    }

    /** {@return the finding for a failed read of {@code what}, with the evidence that led there} */
    public static UnreadableMemory of(String what, dev.kdive.dump.MemoryFault f, Evidence... evidence) {
        return new UnreadableMemory(what, f.space().toString(), f.address(), f.reason(), List.of(evidence));
    }

    @Override
    public String kind() {
        return "memory.unreadable";
    }

    @Override
    public Severity severity() {
        return Severity.UNREADABLE;
    }

    @Override
    public String summary() {
        return what + ": " + space + " " + Long.toHexString(address) + ": " + reason;
    }
}
