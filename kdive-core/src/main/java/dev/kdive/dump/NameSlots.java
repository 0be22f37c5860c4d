package dev.kdive.dump;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * A name index that is read where it lies (in a {@link UserCache} file): an open-addressing table
 * of u32 slots, a power of two of them, each 0 or an entry number plus one, placed by the FNV-1a
 * hash of the entry's name. The names themselves stay where the entries are (a symbol table, a BTF
 * string section); a lookup compares the one or two entries it probes.
 */
public final class NameSlots {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment slots;
    private final int mask;

    /** @param slots the table: a power of two of little-endian u32, more than there are entries */
    public NameSlots(MemorySegment slots) {
        long n = slots.byteSize() / 4;
        if (n == 0 || Long.bitCount(n) != 1 || n > 1 << 30) {
            throw new IllegalArgumentException("expected a power of two of 4-byte slots, found " + slots.byteSize() + " bytes");
        }
        this.slots = slots;
        this.mask = (int) n - 1;
    }

    /** Which of two entries of one name the index keeps. */
    public interface Choice {
        /** {@return whether {@code other} replaces {@code kept}, the entry found first} */
        boolean replaces(int kept, int other);
    }

    /** {@return the bytes of a table holding entries 0..count-1 by {@code name} (null: not indexed)} */
    public static byte[] build(int count, IntFunction<String> name, Choice choice) {
        int n = Integer.highestOneBit(Math.max(count, 1)) << 2; // at most half full
        int[] slot = new int[n];
        String[] placed = new String[n];
        for (int i = 0; i < count; i++) {
            String key = name.apply(i);
            if (key == null) {
                continue;
            }
            for (int h = hash(key) & (n - 1); ; h = (h + 1) & (n - 1)) {
                if (slot[h] == 0) {
                    slot[h] = i + 1;
                    placed[h] = key;
                    break;
                }
                if (placed[h].equals(key)) {
                    if (choice.replaces(slot[h] - 1, i)) {
                        slot[h] = i + 1;
                    }
                    break;
                }
            }
        }
        MemorySegment out = MemorySegment.ofArray(new byte[n * 4]);
        for (int h = 0; h < n; h++) {
            out.setAtIndex(U32, h, slot[h]);
        }
        return out.toArray(ValueLayout.JAVA_BYTE);
    }

    /** {@return the entry of that name, or -1; {@code named} says whether an entry has it} */
    public int find(String name, IntPredicate named) {
        for (int h = hash(name) & mask, probes = 0; probes <= mask; h = (h + 1) & mask, probes++) {
            int e = slots.getAtIndex(U32, h);
            if (e == 0) {
                return -1;
            }
            if (named.test(e - 1)) {
                return e - 1;
            }
        }
        return -1;
    }

    /** {@return every entry the table holds (one per name), in slot order} */
    public java.util.stream.IntStream entries() {
        return java.util.stream.IntStream.rangeClosed(0, mask).map(h -> slots.getAtIndex(U32, h) - 1).filter(e -> e >= 0);
    }

    /** FNV-1a over the name's ISO-8859-1 bytes (kernel names are bytes; a wider char never matches one). */
    static int hash(String name) {
        int h = 0x811c9dc5;
        for (int i = 0; i < name.length(); i++) {
            h = (h ^ (name.charAt(i) & 0xff)) * 0x01000193;
        }
        return h;
    }
}
