package dev.kdive.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.finding.ListCorruption;
import dev.kdive.finding.Severity;
import dev.kdive.finding.UnreadableMemory;
import org.junit.jupiter.api.Test;

/** list_for_each_entry over a synthetic kernel: every entry once, and damage as findings, never a hang. */
class ListsTest {
    private static final long HEAD = 0xffff_8880_0100_0000L;
    private static final long MEMBER = 0x40; // the list_head's offset inside each entry
    private final Fixture.Memory memory = new Fixture.Memory();
    private final Fixture.Types types = new Fixture.Types();

    /** Links HEAD → entries... → HEAD with next and prev as list_add_tail leaves them. */
    private void circle(long... entries) {
        long prev = HEAD;
        for (long e : entries) {
            memory.u64(prev, e + MEMBER).u64(e + MEMBER + 8, prev);
            prev = e + MEMBER;
        }
        memory.u64(prev, HEAD).u64(HEAD + 8, prev);
    }

    private Lists.Walk walk(int limit) {
        return Lists.listForEachEntry(memory, types, "test list", HEAD, MEMBER, limit);
    }

    @Test
    void walksEveryEntryOnceInListOrder() {
        circle(0xffff_8880_0200_0000L, 0xffff_8880_0300_0000L, 0xffff_8880_0200_1000L);
        Lists.Walk w = walk(Lists.LIMIT);
        assertThat(w.entries()).containsExactly(0xffff_8880_0200_0000L, 0xffff_8880_0300_0000L, 0xffff_8880_0200_1000L);
        assertThat(w.clean()).isTrue();
    }

    @Test
    void anEmptyListHasNoEntries() {
        memory.u64(HEAD, HEAD).u64(HEAD + 8, HEAD);
        assertThat(walk(Lists.LIMIT).entries()).isEmpty();
    }

    @Test
    void reportsALoopThatNeverReturnsToTheHead() {
        long a = 0xffff_8880_0200_0000L;
        long b = 0xffff_8880_0300_0000L;
        circle(a, b);
        memory.u64(b + MEMBER, a + MEMBER); // b->next points back at a, never at the head
        Lists.Walk w = walk(Lists.LIMIT);
        assertThat(w.entries()).containsExactly(a, b);
        assertThat(w.findings()).singleElement().isInstanceOfSatisfying(ListCorruption.class, f -> {
            assertThat(f.damage()).isEqualTo(ListCorruption.Damage.LOOP);
            assertThat(f.kind()).isEqualTo("list.loop");
            assertThat(f.severity()).isEqualTo(Severity.CORRUPTION);
            assertThat(f.at()).isEqualTo(b + MEMBER);
            assertThat(f.found()).isEqualTo(a + MEMBER);
            assertThat(f.entries()).isEqualTo(2);
            assertThat(f.evidence()).last().satisfies(e -> {
                assertThat(e.address()).isEqualTo(b + MEMBER);
                assertThat(e.value()).isEqualTo(a + MEMBER);
            });
        });
    }

    @Test
    void reportsALinkThatDoesNotPointBackAndGoesOn() {
        long a = 0xffff_8880_0200_0000L;
        long b = 0xffff_8880_0300_0000L;
        circle(a, b);
        memory.u64(b + MEMBER + 8, 0xdead_0000_0000_0000L); // b->prev was overwritten
        Lists.Walk w = walk(Lists.LIMIT);
        assertThat(w.entries()).containsExactly(a, b);
        assertThat(w.findings()).singleElement().isInstanceOfSatisfying(ListCorruption.class, f -> {
            assertThat(f.damage()).isEqualTo(ListCorruption.Damage.PREV_MISMATCH);
            assertThat(f.expected()).isEqualTo(a + MEMBER);
            assertThat(f.found()).isEqualTo(0xdead_0000_0000_0000L);
            assertThat(f.summary()).contains("ffff888003000040->prev is dead000000000000, expected ffff888002000040");
        });
    }

    @Test
    void aLinkIntoMissingMemoryEndsTheWalkWithWhereAndWhy() {
        long a = 0xffff_8880_0200_0000L;
        memory.u64(HEAD, a + MEMBER).u64(HEAD + 8, a + MEMBER);
        memory.u64(a + MEMBER, 0xffff_8880_0900_0000L).u64(a + MEMBER + 8, HEAD); // next leads to a page the dump lacks
        Lists.Walk w = walk(Lists.LIMIT);
        assertThat(w.entries()).containsExactly(a);
        assertThat(w.findings()).singleElement().isInstanceOfSatisfying(UnreadableMemory.class, f -> {
            assertThat(f.address()).isEqualTo(0xffff_8880_0900_0000L);
            assertThat(f.severity()).isEqualTo(Severity.UNREADABLE);
            assertThat(f.what()).contains("after 1 entries");
        });
    }

    @Test
    void stopsAtTheLimit() {
        circle(0xffff_8880_0200_0000L, 0xffff_8880_0300_0000L, 0xffff_8880_0400_0000L);
        Lists.Walk w = walk(2);
        assertThat(w.entries()).hasSize(2);
        assertThat(w.findings()).singleElement().extracting(f -> f.kind()).isEqualTo("list.too_long");
    }

    /** A vm_next-style chain: each structure's pointer at NEXT names the next structure, NULL ends it. */
    private static final long NEXT = 0x10;

    @Test
    void aNullTerminatedChainIsWalkedToItsNull() {
        long a = 0xffff_8880_0200_0000L;
        long b = 0xffff_8880_0300_0000L;
        memory.u64(a + NEXT, b).u64(b + NEXT, 0);
        Lists.Walk w = Lists.singlyLinked(memory, "mmap", a, NEXT, Lists.LIMIT);
        assertThat(w.entries()).containsExactly(a, b);
        assertThat(w.clean()).isTrue();
        assertThat(Lists.singlyLinked(memory, "mmap", 0, NEXT, Lists.LIMIT).entries()).isEmpty();
    }

    @Test
    void aChainThatComesRoundIsALoopNotAHang() {
        long a = 0xffff_8880_0200_0000L;
        long b = 0xffff_8880_0300_0000L;
        memory.u64(a + NEXT, b).u64(b + NEXT, a);
        Lists.Walk w = Lists.singlyLinked(memory, "CPU 0's partial slabs", a, NEXT, Lists.LIMIT);
        assertThat(w.entries()).containsExactly(a, b);
        assertThat(w.findings()).singleElement().isInstanceOfSatisfying(ListCorruption.class, f -> {
            assertThat(f.damage()).isEqualTo(ListCorruption.Damage.LOOP);
            assertThat(f.at()).isEqualTo(b);
            assertThat(f.found()).isEqualTo(a);
            assertThat(f.evidence()).last().satisfies(e -> assertThat(e.address()).isEqualTo(b + NEXT));
        });
    }

    @Test
    void aChainIntoMissingMemoryStopsThereWithAFinding() {
        long a = 0xffff_8880_0200_0000L;
        memory.u64(a + NEXT, 0xffff_8880_0900_0000L);
        Lists.Walk w = Lists.singlyLinked(memory, "mmap", a, NEXT, 10);
        assertThat(w.entries()).containsExactly(a);
        assertThat(w.findings()).singleElement().isInstanceOfSatisfying(UnreadableMemory.class,
                f -> assertThat(f.address()).isEqualTo(0xffff_8880_0900_0000L + NEXT));
    }

    @Test
    void crashsPlainChainEndsAtNullAtTheFirstOrAtEndAndReportsOtherLoops() {
        long a = 0xffff_8880_0200_0000L;
        long b = 0xffff_8880_0300_0000L;
        long c = 0xffff_8880_0400_0000L;
        memory.u64(a + 8, b).u64(b + 8, c).u64(c + 8, 0); // next pointers at offset 8, pointing at the next structure
        assertThat(Lists.chain(memory, "chain", a, 8, 0, Lists.LIMIT).entries()).containsExactly(a, b, c);
        assertThat(Lists.chain(memory, "chain", a, 8, c, Lists.LIMIT).entries()).containsExactly(a, b);
        memory.u64(c + 8, a); // a ring back to the first: crash's normal end
        Lists.Walk ring = Lists.chain(memory, "chain", a, 8, 0, Lists.LIMIT);
        assertThat(ring.entries()).containsExactly(a, b, c);
        assertThat(ring.clean()).isTrue();
        memory.u64(c + 8, b); // a loop that misses the first
        Lists.Walk loop = Lists.chain(memory, "chain", a, 8, 0, Lists.LIMIT);
        assertThat(loop.entries()).containsExactly(a, b, c);
        assertThat(loop.findings()).singleElement().isInstanceOfSatisfying(ListCorruption.class,
                f -> assertThat(f.damage()).isEqualTo(ListCorruption.Damage.LOOP));
    }
}
