package dev.kdive.kernel;

import dev.kdive.types.TypeException;
import dev.kdive.finding.Evidence;
import dev.kdive.finding.SlabDamage;
import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What slub_debug leaves in a cache's objects (mm/slub.c, "Object layout" comment above
 * check_pad_bytes()): poison in free objects (0x6b, the last byte 0xa5), red zones around each
 * object (0xbb while free, 0xcc while allocated), and with SLAB_STORE_USER the alloc and free
 * {@code struct track}s after the free pointer, whose stacks live in the stack depot
 * (lib/stackdepot.c). Flag bits come from the dump's {@code enum _slab_flag_bits} where the kernel
 * has one (6.9+), else from include/linux/slab.h's values, which did not change before.
 */
public final class SlubDebug {
    static final int POISON_FREE = 0x6b;
    static final int POISON_END = 0xa5;
    static final int RED_INACTIVE = 0xbb;
    static final int RED_ACTIVE = 0xcc;

    private final Program p;
    private final long redZone;
    private final long poison;
    private final long storeUser;
    private final long typesafeByRcu;
    private final Optional<Type.Struct> track;

    /** One struct track: where an object was last allocated or freed, by whom, and the stack. */
    public record Track(long addr, int cpu, int pid, long when, List<Long> stack) {}

    SlubDebug(Program p) {
        this.p = p;
        this.redZone = flag("_SLAB_RED_ZONE", 0x400);
        this.poison = flag("_SLAB_POISON", 0x800);
        this.storeUser = flag("_SLAB_STORE_USER", 0x10000);
        this.typesafeByRcu = flag("_SLAB_TYPESAFE_BY_RCU", 0x80000);
        this.track = p.types().lookup("struct track").map(Type::resolved).filter(t -> t instanceof Type.Struct).map(t -> (Type.Struct) t);
    }

    private long flag(String bit, long classic) {
        if (p.types().lookup("enum _slab_flag_bits").map(Type::resolved).orElse(null) instanceof Type.Enum e) {
            return e.values().stream().filter(v -> v.name().equals(bit)).findFirst().map(v -> 1L << v.value()).orElse(0L);
        }
        return classic;
    }

    /** {@return whether a cache carries any slub_debug metadata kdive checks} */
    public boolean debugs(SlabCache c) {
        return (c.flags() & (redZone | poison | storeUser)) != 0;
    }

    /** {@return whether a cache keeps alloc/free tracks, and with them a list of its full slabs (SLAB_STORE_USER)} */
    public boolean storesUsers(SlabCache c) {
        return (c.flags() & storeUser) != 0;
    }

    private boolean poisons(SlabCache c) {
        // init_object() poisons only where nothing else lives in a free object (mm/slub.c).
        return (c.flags() & poison) != 0 && (c.flags() & typesafeByRcu) == 0 && c.freePointer().offset() >= c.objectSize();
    }

    /**
     * Checks one object's poison (when free) and red zones against what SLUB wrote there.
     *
     * @return the damage found, if any
     */
    Optional<SlabDamage> check(SlabCache c, Slab slab, long object, boolean free, String holder) {
        List<String> problems = new ArrayList<>();
        long firstBad = 0;
        byte[] bytes;
        long start = object - c.redLeftPad();
        try {
            bytes = p.kernel().read(start, c.redLeftPad() + c.inuse());
        } catch (MemoryFault f) {
            return Optional.empty(); // an object the dump lacks is not damage
        }
        int base = c.redLeftPad();
        if (free && poisons(c)) {
            long[] run = badRun(bytes, base, base + c.objectSize() - 1, POISON_FREE);
            if ((bytes[base + c.objectSize() - 1] & 0xff) != POISON_END && run == null) {
                run = new long[] {c.objectSize() - 1, 1};
            }
            if (run != null) {
                firstBad = object + run[0];
                problems.add("poison overwritten at +" + run[0] + ".." + "+" + (run[0] + run[1] - 1) + " (" + run[1] + " bytes: "
                        + hexBytes(bytes, base + (int) run[0], (int) Math.min(run[1], 16)) + "; free objects hold 6b ... 6b a5)");
            }
        }
        if ((c.flags() & redZone) != 0) {
            int red = free ? RED_INACTIVE : RED_ACTIVE;
            long[] right = badRun(bytes, base + c.objectSize(), base + c.inuse(), red);
            if (right != null) {
                firstBad = firstBad == 0 ? object + c.objectSize() + right[0] : firstBad;
                problems.add("right red zone overwritten at +" + (c.objectSize() + right[0]) + " (" + right[1] + " bytes: "
                        + hexBytes(bytes, base + c.objectSize() + (int) right[0], (int) Math.min(right[1], 16)) + "; expected "
                        + Integer.toHexString(red) + ")");
            }
            long[] left = badRun(bytes, 0, base, red);
            if (left != null) {
                firstBad = firstBad == 0 ? start + left[0] : firstBad;
                problems.add("left red zone overwritten at -" + (base - left[0]) + " (" + left[1] + " bytes; expected " + Integer.toHexString(red)
                        + ")");
            }
        }
        if (problems.isEmpty()) {
            return Optional.empty();
        }
        List<Evidence> evidence = new ArrayList<>();
        evidence.add(Evidence.at("kmem_cache " + Slub.hex(c.address()) + " \"" + c.name() + "\": slub_debug flags " + Slub.hex(c.flags()) + ", objects of "
                + c.objectSize() + " bytes, red zone to +" + c.inuse() + ", free pointer at +" + c.freePointer().offset(), c.address()));
        evidence.add(Evidence.of(holder));
        evidence.add(Evidence.at("object " + Slub.hex(object) + " is " + (free ? "free" : "allocated") + " in slab " + Slub.hex(slab.address()),
                object));
        problems.forEach(why -> evidence.add(Evidence.of(why)));
        for (boolean alloc : new boolean[] {true, false}) {
            track(c, object, alloc).ifPresent(t -> evidence.add(Evidence.of(describe(t, alloc))));
        }
        SlabDamage.Damage kind = problems.getFirst().startsWith("poison") ? SlabDamage.Damage.POISON_OVERWRITTEN
                : SlabDamage.Damage.REDZONE_OVERWRITTEN;
        return Optional.of(SlabDamage.of(kind, c.name(), c.address(), -1, -1, slab.address(), object, 0, 0, firstBad,
                null, (free ? "free" : "allocated") + " object " + Slub.hex(object) + ": " + problems.getFirst(),
                List.copyOf(evidence)));
    }

    /** {@return the first run of bytes in [from, to) that differ from {@code expected}: offset from {@code from}, length} */
    private static long[] badRun(byte[] b, int from, int to, int expected) {
        for (int i = from; i < to; i++) {
            if ((b[i] & 0xff) != expected) {
                int j = i;
                while (j < to && (b[j] & 0xff) != expected) {
                    j++;
                }
                return new long[] {i - from, j - i};
            }
        }
        return null;
    }

    private static String hexBytes(byte[] b, int from, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : " ").append(String.format("%02x", b[from + i] & 0xff));
        }
        return s.toString();
    }

    /** {@return an object's alloc or free track, when the cache stores them (SLAB_STORE_USER)} */
    public Optional<Track> track(SlabCache c, long object, boolean alloc) {
        if (!storesUsers(c) || track.isEmpty()) {
            return Optional.empty();
        }
        // get_info_end(): the tracks follow the free pointer when it lies outside the object.
        long end = c.freePointer().offset() >= c.inuse() ? c.inuse() + 8L : c.inuse();
        KernelObject t = new KernelObject(p, track.get(), object + end + (alloc ? 0 : track.get().size()));
        try {
            long addr = t.read("addr");
            if (addr == 0) {
                return Optional.empty();
            }
            List<Long> stack = track.get().member("handle").isPresent() ? depotStack(t.read("handle")) : inlineStack(t);
            return Optional.of(new Track(addr, (int) t.read("cpu"), (int) t.read("pid"), t.read("when"), stack));
        } catch (MemoryFault | TypeException e) {
            return Optional.empty();
        }
    }

    /** Before stack depot (≤ 5.16) a track held TRACK_ADDRS_COUNT return addresses itself. */
    private List<Long> inlineStack(KernelObject t) throws MemoryFault {
        List<Long> stack = new ArrayList<>();
        if (t.struct().member("addrs").isEmpty()) {
            return stack;
        }
        Type.Member m = t.member("addrs");
        long n = m.type().get().size() / 8;
        for (int i = 0; i < n; i++) {
            long a = p.kernel().u64(t.address() + m.offset() + 8L * i);
            if (a == 0) {
                break;
            }
            stack.add(a);
        }
        return stack;
    }

    /**
     * A stack depot handle: a pool index and an offset inside it (union handle_parts, widths from
     * the types; lib/stackdepot.c), the pool from {@code stack_slabs[]} (6.1), {@code stack_pools[]}
     * (6.3) or the array {@code stack_pools} points to (6.8+, allocated at boot), and since 6.8
     * the index stored plus one ({@code pool_index_plus_1}: 0 is no handle). Neither the offset's
     * unit nor whether {@code stack_pools} is an array or a pointer is in BTF, so each reading is
     * tried and the record must carry the same handle back.
     */
    private List<Long> depotStack(long handle) throws MemoryFault {
        if (handle == 0) {
            return List.of();
        }
        Type.Struct parts = (Type.Struct) p.types().lookup("union handle_parts").map(Type::resolved).orElseThrow();
        Optional<Type.Member> plusOne = parts.member("pool_index_plus_1");
        Type.Member index = plusOne.or(() -> parts.member("slabindex")).or(() -> parts.member("pool_index")).orElseThrow();
        Type.Member offset = parts.member("offset").orElseThrow();
        long poolIndex = ((handle >>> index.bitOffset()) & ((1L << index.bitSize()) - 1)) - (plusOne.isPresent() ? 1 : 0);
        long off = (handle >>> offset.bitOffset()) & ((1L << offset.bitSize()) - 1);
        if (poolIndex < 0) {
            return List.of();
        }
        long table;
        try {
            table = p.address("stack_slabs");
        } catch (UnknownSymbolException e) {
            try {
                table = p.address("stack_pools");
            } catch (UnknownSymbolException e2) {
                return List.of();
            }
        }
        KernelObject record0 = KernelObject.at(p, "stack_record", 0);
        // stack_record.handle is a u32 before 6.8 and a union handle_parts since
        String handlePath = record0.member("handle").type().get().resolved() instanceof Type.Struct ? "handle.handle" : "handle";
        for (long pools : new long[] {table, p.kernel().u64(table)}) {
            long pool;
            try {
                pool = p.kernel().u64(pools + 8 * poolIndex);
            } catch (MemoryFault e) {
                continue;
            }
            if (pool == 0) {
                continue;
            }
            for (int align = 4; align >= 2; align--) {
                KernelObject r = new KernelObject(p, record0.struct(), pool + (off << align));
                try {
                    if ((r.read(handlePath) & 0xffffffffL) != (handle & 0xffffffffL)) {
                        continue;
                    }
                    int size = (int) r.read("size");
                    long entries = r.addressOf("entries");
                    List<Long> stack = new ArrayList<>();
                    for (int i = 0; i < Math.min(size, 64); i++) {
                        stack.add(p.kernel().u64(entries + 8L * i));
                    }
                    return stack;
                } catch (MemoryFault | TypeException e) {
                    // another alignment
                }
            }
        }
        return List.of();
    }

    private String describe(Track t, boolean alloc) {
        return named(t, alloc).text();
    }

    /**
     * An object's alloc or free track with its addresses named: who, on which CPU, in which task,
     * when, and the stack from the stack depot, as slub_debug's own report prints it (mm/slub.c print_track()).
     *
     * @param caller the track's address as "func+0xoff/0xsize"
     * @param stack  the saved stack, each frame named the same way
     */
    public record ObjectTrack(boolean alloc, @dev.kdive.value.Hex long address, String caller, int cpu, int pid, long jiffies,
                              List<String> stack) {
        public ObjectTrack {
            stack = List.copyOf(stack);
        }

        /** {@return "allocated by F on CPU c, pid p, jiffies j" and the stack, one frame a line} */
        public String text() {
            StringBuilder s = new StringBuilder((alloc ? "allocated" : "freed") + " by " + caller + " on CPU " + cpu + ", pid " + pid
                    + ", jiffies " + jiffies);
            stack.forEach(f -> s.append("\n      ").append(f));
            return s.toString();
        }
    }

    private ObjectTrack named(Track t, boolean alloc) {
        return new ObjectTrack(alloc, t.addr(), name(t.addr()), t.cpu(), t.pid(), t.when(), t.stack().stream().map(this::name).toList());
    }

    /** A code address as "func+0xoff/0xsize" the way the kernel prints stacks. */
    String name(long a) {
        return p.symbolContaining(a).map(sym -> sym.name() + "+0x" + Long.toHexString(a - sym.address())
                + (sym.size() > 0 ? "/0x" + Long.toHexString(sym.size()) : "")).orElse(Slub.hex(a));
    }

    /** {@return an object's alloc and free tracks, named, for kmem ADDR} */
    public List<ObjectTrack> tracks(SlabCache c, long object) {
        List<ObjectTrack> out = new ArrayList<>();
        for (boolean alloc : new boolean[] {true, false}) {
            track(c, object, alloc).ifPresent(t -> out.add(named(t, alloc)));
        }
        return out;
    }
}
