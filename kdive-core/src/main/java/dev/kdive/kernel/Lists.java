package dev.kdive.kernel;

import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Evidence;
import dev.kdive.finding.Finding;
import dev.kdive.finding.ListCorruption;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.Program;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import dev.kdive.types.TypeTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks of the kernel's doubly linked lists (include/linux/list.h, {@code struct list_head}),
 * bounded and checked: a list of a crashed kernel may loop, leave readable memory, or have a link
 * that does not point back. Each of those ends up as a {@link Finding}, never as an endless loop
 * or an exception.
 */
public final class Lists {
    /** More entries than any kernel list holds: PID_MAX_LIMIT tasks. */
    public static final int LIMIT = 4_194_304;

    private Lists() {
    }

    /**
     * The entries reached, and what was wrong on the way.
     *
     * @param entries  each entry's address: the link minus the member's offset (container_of)
     * @param findings a loop, a link that does not point back, an unreadable link, the limit reached
     */
    public record Walk(List<Long> entries, List<Finding> findings) {
        public Walk {
            entries = List.copyOf(entries);
            findings = List.copyOf(findings);
        }

        /** {@return whether the walk went round to its head with nothing wrong} */
        public boolean clean() {
            return findings.isEmpty();
        }
    }

    /**
     * {@code list_for_each_entry(pos, head, member)}: the entries of the list whose head is at
     * {@code head}, linked through the {@code list_head} at {@code memberOffset} in each entry. It
     * checks what CONFIG_DEBUG_LIST checks on each change ({@code next->prev == cur}, lib/list_debug.c)
     * and stops at a loop, an unreadable link or {@code limit} entries.
     *
     * @param list how findings name the list ("modules", "init_task.tasks")
     */
    public static Walk listForEachEntry(Program p, String list, long head, long memberOffset, int limit) {
        return listForEachEntry(p.kernel(), p.types(), list, head, memberOffset, limit);
    }

    /** {@return the same walk over any address space, with {@code struct list_head} from {@code types}} */
    public static Walk listForEachEntry(AddressSpace memory, TypeTable types, String list, long head, long memberOffset, int limit) {
        return walk(memory, types, list, head, memberOffset, limit, false);
    }

    /** {@code list_for_each_entry_reverse}: the same entries, from the last, through the {@code prev} links (checked against {@code next}). */
    public static Walk listForEachEntryReverse(Program p, String list, long head, long memberOffset, int limit) {
        return walk(p.kernel(), p.types(), list, head, memberOffset, limit, true);
    }

    private static Walk walk(AddressSpace memory, TypeTable types, String list, long head, long memberOffset, int limit, boolean reverse) {
        Type.Struct listHead = (Type.Struct) types.lookup("struct list_head").orElseThrow(
                () -> new TypeException(types.source() + " has no struct list_head"));
        long nextOffset = listHead.member(reverse ? "prev" : "next").orElseThrow().offset();
        long prevOffset = listHead.member(reverse ? "next" : "prev").orElseThrow().offset();
        List<Long> entries = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long prev = head;
        long link;
        try {
            link = memory.u64(head + nextOffset);
        } catch (MemoryFault f) {
            findings.add(unreadable(list + ": head", f, head));
            return new Walk(entries, findings);
        }
        boolean prevReported = false;
        while (link != head) {
            if (entries.size() >= limit) {
                findings.add(new ListCorruption(ListCorruption.Damage.TOO_LONG, list, head, link, 0, link, entries.size(),
                        List.of(Evidence.at("list head " + hex(head), head))));
                break;
            }
            if (!seen.add(link)) {
                findings.add(new ListCorruption(ListCorruption.Damage.LOOP, list, head, prev, head, link, entries.size(),
                        List.of(Evidence.at("list head " + hex(head), head),
                                Evidence.read("link " + hex(prev) + " ->next is " + hex(link) + ", a link already walked, not the head",
                                        prev + nextOffset, link))));
                break;
            }
            long next;
            long back;
            try {
                next = memory.u64(link + nextOffset);
                back = memory.u64(link + prevOffset);
            } catch (MemoryFault f) {
                findings.add(unreadable(list + ": link " + hex(link) + " (entry " + hex(link - memberOffset) + ", after "
                        + entries.size() + " entries)", f, prev));
                break;
            }
            if (back != prev && !prevReported) { // one is enough: every later link is judged against a walk already off course
                prevReported = true;
                findings.add(new ListCorruption(ListCorruption.Damage.PREV_MISMATCH, list, head, link, prev, back, entries.size(),
                        List.of(Evidence.read("link " + hex(prev) + " ->next is " + hex(link), prev + nextOffset, link),
                                Evidence.read("link " + hex(link) + " ->prev is " + hex(back) + ", not " + hex(prev), link + prevOffset, back))));
            }
            entries.add(link - memberOffset);
            prev = link;
            link = next;
        }
        return new Walk(entries, findings);
    }

    /**
     * A NULL-terminated chain of structures linked by a pointer to the next one, as
     * {@code for (vma = mm->mmap; vma; vma = vma->vm_next)} walks a pre-6.1 memory map and
     * {@code slub_percpu_partial()} a CPU's partial slabs through {@code slab->next}. It stops at a
     * loop, an unreadable link or {@code limit} entries, each a finding.
     *
     * @param first      the first structure, 0 for an empty chain
     * @param nextOffset where the pointer to the next structure is in each
     */
    public static Walk singlyLinked(AddressSpace memory, String list, long first, long nextOffset, int limit) {
        return chain(memory, list, first, nextOffset, 0, false, limit);
    }

    /**
     * crash's {@code list -o OFF START}: structures chained by a pointer at {@code nextOffset} that
     * points at the next structure itself, ending at NULL, at {@code end}, or back at the first
     * (a ring). Only a loop that misses the first structure is a finding.
     */
    public static Walk chain(AddressSpace memory, String list, long first, long nextOffset, long end, int limit) {
        return chain(memory, list, first, nextOffset, end, true, limit);
    }

    /** @param ring whether coming back to the first entry ends the walk (crash's list) rather than being a loop */
    private static Walk chain(AddressSpace memory, String list, long first, long nextOffset, long end, boolean ring, int limit) {
        List<Long> entries = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long prev = 0;
        long at = first;
        while (at != 0 && (end == 0 || at != end) && !(ring && at == first && !entries.isEmpty())) {
            if (entries.size() >= limit) {
                findings.add(new ListCorruption(ListCorruption.Damage.TOO_LONG, list, first, at, 0, at, entries.size(),
                        List.of(Evidence.at("first entry " + hex(first), first))));
                break;
            }
            if (!seen.add(at)) {
                findings.add(new ListCorruption(ListCorruption.Damage.LOOP, list, first, prev, 0, at, entries.size(),
                        List.of(Evidence.at("first entry " + hex(first), first),
                                Evidence.read("entry " + hex(prev) + " points on to " + hex(at) + ", an entry already walked"
                                        + (ring ? "" : ", not NULL"), prev + nextOffset, at))));
                break;
            }
            long next;
            try {
                next = memory.u64(at + nextOffset);
            } catch (MemoryFault f) {
                findings.add(unreadable(list + ": entry " + hex(at) + " (after " + entries.size() + " entries)", f, prev == 0 ? at : prev));
                break;
            }
            entries.add(at);
            prev = at;
            at = next;
        }
        return new Walk(entries, findings);
    }

    private static UnreadableMemory unreadable(String what, MemoryFault f, long from) {
        return UnreadableMemory.of(what, f, Evidence.at("reached from " + hex(from), from));
    }

    static String hex(long v) {
        return Long.toHexString(v);
    }
}
