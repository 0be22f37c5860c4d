package dev.kdive.kernel;

import dev.kdive.types.TypeException;
import dev.kdive.finding.Evidence;
import dev.kdive.finding.Finding;
import dev.kdive.finding.ListCorruption;
import dev.kdive.finding.Unavailable;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.finding.SlabDamage;
import dev.kdive.arch.Translation;
import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The SLUB allocator's state in a dump (mm/slub.c, mm/slab.h, include/linux/slub_def.h): every
 * cache on {@code slab_caches}, each CPU's {@code kmem_cache_cpu} (lockless freelist, slab,
 * partial slabs), each node's partial (and, with slub_debug, full) slabs, and every freelist
 * walked and checked. Member offsets come from the dump's types; a pointer that leads nowhere is
 * a {@link SlabDamage}, never an exception.
 */
public final class Slub {
    /** Bounds a list walk in a corrupted kernel: no node has more slabs than this. */
    private static final int LIST_LIMIT = 1 << 22;

    private final Program p;
    private final Type.Struct cacheType;
    private final Type.Struct cpuType;
    private final Type.Struct nodeType;
    private final Type.Struct slabType;
    private final String slabMember; // kmem_cache_cpu.slab (5.17+) or .page
    private final String listMember; // slab.slab_list or page.slab_list / lru
    private final long pageStructSize;
    private final long[] cpuOffsets;
    private final SlubDebug debug;
    private Caches caches;

    public Slub(Program p) throws MemoryFault, UnknownSymbolException {
        this.p = p;
        this.cacheType = struct("kmem_cache");
        this.cpuType = struct("kmem_cache_cpu");
        this.nodeType = struct("kmem_cache_node");
        this.slabType = p.types().lookup("struct slab").map(t -> (Type.Struct) t.resolved())
                .filter(s -> s.member("slab_cache").isPresent()).orElseGet(() -> struct("page"));
        this.slabMember = cpuType.member("slab").isPresent() ? "slab" : "page";
        this.listMember = slabType.member("slab_list").isPresent() ? "slab_list" : "lru";
        this.pageStructSize = struct("page").size();
        this.cpuOffsets = p.perCpuOffsets();
        this.debug = new SlubDebug(p);
    }

    /** {@return what slub_debug keeps for each object of a debugged cache: tracks, poison, red zones} */
    public SlubDebug debug() {
        return debug;
    }

    private Type.Struct struct(String name) {
        return (Type.Struct) KernelObject.at(p, name, 0).type();
    }

    /** The caches on {@code slab_caches}, newest first as the kernel links them, and what broke the walk. */
    public record Caches(List<SlabCache> caches, List<Finding> problems) {
        public Optional<SlabCache> named(String name) {
            return caches.stream().filter(c -> c.name().equals(name)).findFirst();
        }

        public Optional<SlabCache> at(long address) {
            return caches.stream().filter(c -> c.address() == address).findFirst();
        }
    }

    /** {@return every cache; read once} */
    public synchronized Caches caches() {
        if (caches != null) {
            return caches;
        }
        List<KernelObject> raw = new ArrayList<>();
        List<Finding> problems = new ArrayList<>();
        try {
            Lists.Walk w = Lists.listForEachEntry(p, "slab_caches", p.address("slab_caches"), cacheType.member("list").orElseThrow().offset(),
                    LIST_LIMIT);
            w.entries().forEach(cache -> raw.add(new KernelObject(p, cacheType, cache)));
            problems.addAll(w.findings());
        } catch (UnknownSymbolException e) {
            problems.add(new Unavailable("slab caches", e.getMessage()));
        }
        FreePointer.Form form = cacheType.member("random").isPresent() ? hardenedForm(raw) : FreePointer.Form.PLAIN;
        List<SlabCache> list = new ArrayList<>();
        for (KernelObject c : raw) {
            try {
                list.add(cache(c, form));
            } catch (MemoryFault f) {
                problems.add(UnreadableMemory.of("kmem_cache " + hex(c.address()), f));
            }
        }
        caches = new Caches(List.copyOf(list), List.copyOf(problems));
        return caches;
    }

    private SlabCache cache(KernelObject c, FreePointer.Form form) throws MemoryFault {
        String name;
        try {
            name = p.kernel().cstring(c.read("name"), 64);
        } catch (MemoryFault f) {
            name = "(unreadable name at " + hex(f.address()) + ")";
        }
        long oo = c.read("oo.x");
        Type.Member nodeMember = c.member("node");
        int nodes = (int) Math.max(1, nodeMember.type().get().size() / 8);
        try {
            nodes = (int) Math.min(nodes, Math.max(1, p.kernel().u32(p.address("nr_node_ids"))));
        } catch (UnknownSymbolException | MemoryFault e) {
            // no nr_node_ids: every slot of node[] is read, empty ones are 0
        }
        List<Long> nodeList = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            nodeList.add(p.kernel().u64(c.address() + nodeMember.offset() + 8L * n));
        }
        long random = form == FreePointer.Form.PLAIN ? 0 : c.read("random");
        int redLeft = c.struct().member("red_left_pad").isPresent() ? (int) c.read("red_left_pad") : 0;
        return new SlabCache(c.address(), name, (int) c.read("object_size"), (int) c.read("size"), (int) c.read("inuse"),
                redLeft, c.read("flags"), (int) (oo & 0xffff), (int) (oo >>> 16), c.read("cpu_slab"), List.copyOf(nodeList),
                new FreePointer(form, random, (int) c.read("offset")));
    }

    /**
     * The byte swap of the slot address came with 5.7; nothing in the types tells the two forms
     * apart, so each is tried on the free objects CPUs hold and the one whose pointers land on
     * object starts of the same slab wins (the swab form when nothing votes).
     */
    private FreePointer.Form hardenedForm(List<KernelObject> raw) {
        int swab = 0;
        int plain = 0;
        for (KernelObject c : raw) {
            for (long off : cpuOffsets) {
                try {
                    KernelObject cpu = new KernelObject(p, cpuType, c.read("cpu_slab") + off);
                    long head = cpu.read("freelist");
                    long slabAddr = cpu.read(slabMember);
                    if (head == 0 || slabAddr == 0) {
                        continue;
                    }
                    SlabCache probe = cache(c, FreePointer.Form.PLAIN);
                    Slab slab = slab(slabAddr);
                    long slot = head + probe.freePointer().offset();
                    long stored = p.kernel().u64(slot);
                    long random = c.read("random");
                    long a = stored ^ random ^ Long.reverseBytes(slot);
                    long b = stored ^ random ^ slot;
                    boolean okA = a == 0 || slab.holdsObject(probe, a);
                    boolean okB = b == 0 || slab.holdsObject(probe, b);
                    if (okA && !okB) {
                        swab++;
                    } else if (okB && !okA) {
                        plain++;
                    }
                } catch (MemoryFault | TypeException | ArithmeticException e) {
                    // a damaged cache gives no vote
                }
                if (swab + plain >= 16) {
                    return swab >= plain ? FreePointer.Form.HARDENED_SWAB : FreePointer.Form.HARDENED;
                }
            }
        }
        return plain > swab ? FreePointer.Form.HARDENED : FreePointer.Form.HARDENED_SWAB;
    }

    /** {@return the slab described by the struct slab (or struct page) at {@code address}} */
    public Slab slab(long address) throws MemoryFault {
        KernelObject s = new KernelObject(p, slabType, address);
        long pfn = Long.divideUnsigned(address - p.layout().vmemmapBase(), pageStructSize);
        long next = slabType.member("next").isPresent() ? s.read("next") : 0;
        return new Slab(address, p.layout().directMap(pfn << 12), s.read("slab_cache"), s.read("freelist"),
                (int) s.read("inuse"), (int) s.read("objects"), s.read("frozen") != 0, next);
    }

    /** {@return the struct slab (or head struct page) of the page holding {@code vaddr}, if it translates} */
    public Optional<Long> slabOf(long vaddr) throws MemoryFault {
        if (!(p.kernel().translate(vaddr) instanceof Translation.Mapped m)) {
            return Optional.empty();
        }
        long page = p.layout().vmemmapBase() + (m.physical() >>> 12) * pageStructSize;
        KernelObject pg = KernelObject.at(p, "page", page);
        // A tail page of a compound page points at its head with bit 0 set (include/linux/page-flags.h).
        long head = pg.struct().member("compound_head").isPresent() ? pg.read("compound_head") : 0;
        return Optional.of((head & 1) != 0 ? head - 1 : page);
    }

    /**
     * A freelist as walked: the objects reached, and the damage that stopped the walk.
     *
     * @param head the first pointer (plain)
     */
    public record Freelist(long head, List<Long> objects, Optional<SlabDamage> damage) {
        /** {@return entries the kernel counts as free: a bad pointer that ends the list is one of them} */
        public int entries() {
            return objects.size() + damage.filter(d -> d.damage() == SlabDamage.Damage.NON_CANONICAL
                    || d.damage() == SlabDamage.Damage.OUTSIDE_SLAB || d.damage() == SlabDamage.Damage.MISALIGNED).map(d -> 1).orElse(0);
        }
    }

    /** Where a freelist hangs, for findings: "CPU 1 per-cpu freelist" and the like. */
    private record Origin(String what, int cpu, int node, long holder, String holderText) {}

    /** Walks a freelist of {@code slab}, checking every pointer (mm/slub.c on_freelist() does the same checks live). */
    private Freelist walk(SlabCache c, Slab slab, long head, Origin origin) {
        List<Long> objects = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        FreePointer fp = c.freePointer();
        long ptr = head;
        long slot = 0;
        long stored = 0;
        long from = 0;
        while (ptr != 0) {
            SlabDamage.Damage bad = null;
            String why = null;
            if (!canonical(ptr)) {
                bad = SlabDamage.Damage.NON_CANONICAL;
                why = hex(ptr) + " is not a canonical address (bits 63.." + (p.layout().fiveLevel() ? 56 : 47) + " differ)";
            } else if (!slab.spans(c, ptr)) {
                bad = SlabDamage.Damage.OUTSIDE_SLAB;
                why = hex(ptr) + " is outside slab " + hex(slab.address()) + " (objects " + hex(slab.memory()) + ".."
                        + hex(slab.memory() + (long) slab.objects() * c.size()) + ")" + elsewhere(ptr, c);
            } else if (!slab.holdsObject(c, ptr)) {
                bad = SlabDamage.Damage.MISALIGNED;
                why = hex(ptr) + " is inside object " + hex(slab.objectOf(c, ptr)) + " at +" + (ptr - slab.objectOf(c, ptr))
                        + ", not at an object start (objects are " + c.size() + " bytes apart)";
            } else if (!seen.add(ptr)) {
                bad = SlabDamage.Damage.CYCLE;
                why = "object " + hex(ptr) + " comes round again after " + objects.size() + " objects: the freelist loops";
            } else if (objects.size() >= slab.objects()) {
                bad = SlabDamage.Damage.COUNT_MISMATCH;
                why = "more than the slab's " + slab.objects() + " objects on one freelist";
            }
            if (bad != null) {
                return new Freelist(head, List.copyOf(objects), Optional.of(finding(bad, c, slab, origin, from, slot, stored, ptr, why)));
            }
            objects.add(ptr);
            from = ptr;
            slot = fp.slot(ptr);
            try {
                stored = p.kernel().u64(slot);
            } catch (MemoryFault f) {
                return new Freelist(head, List.copyOf(objects), Optional.of(finding(SlabDamage.Damage.UNREADABLE, c, slab, origin,
                        ptr, slot, 0, 0, "the free pointer of " + hex(ptr) + " at " + hex(slot) + " cannot be read: " + f.reason())));
            }
            ptr = fp.decode(stored, slot);
        }
        return new Freelist(head, List.copyOf(objects), Optional.empty());
    }

    private SlabDamage finding(SlabDamage.Damage kind, SlabCache c, Slab slab, Origin o, long from, long slot, long stored,
                                long decoded, String why) {
        List<Evidence> evidence = new ArrayList<>();
        FreePointer fp = c.freePointer();
        evidence.add(Evidence.at("kmem_cache " + hex(c.address()) + " \"" + c.name() + "\": objects of " + c.size() + " bytes, free pointer at +"
                + fp.offset() + ", stored as " + fp.form().formula()
                + (fp.form() == FreePointer.Form.PLAIN ? "" : " (random " + hex(fp.random()) + ")"), c.address()));
        evidence.add(o.holder() != 0 ? Evidence.at(o.holderText(), o.holder()) : Evidence.of(o.holderText()));
        evidence.add(Evidence.at("slab " + hex(slab.address()) + ": objects at " + hex(slab.memory()) + ", " + slab.objects() + " objects, inuse "
                + slab.inuse() + (slab.frozen() ? ", frozen" : ""), slab.address()));
        if (slot != 0) {
            evidence.add(Evidence.read("free object " + hex(from) + " holds " + hex(stored) + " at " + hex(slot) + " (+" + fp.offset()
                    + "), which decodes to " + hex(decoded), slot, stored));
        } else {
            evidence.add(Evidence.of(o.what() + " starts at " + hex(decoded)));
        }
        evidence.add(Evidence.of(why));
        if (kind == SlabDamage.Damage.NON_CANONICAL || kind == SlabDamage.Damage.OUTSIDE_SLAB) {
            long next = fp.slot(decoded);
            evidence.add(Evidence.of("taking " + hex(decoded) + " off this list reads its free pointer at " + hex(decoded) + " + " + fp.offset() + " = "
                    + hex(next) + (canonical(decoded) ? "" : ": a general protection fault (#GP), not a page fault")));
            nearMiss(c, slab, decoded).ifPresent(evidence::add);
        }
        return SlabDamage.of(kind, c.name(), c.address(), o.cpu(), o.node(), slab.address(), from, slot, stored, decoded, o.what(), null,
                List.copyOf(evidence));
    }

    /**
     * A corrupted pointer that differs from one of the slab's objects in a few bits of one byte is
     * most likely that object's address damaged (a stray write or a bit flip); naming the object
     * and the value its slot would have held lets a reader check it against the oops registers.
     */
    private Optional<Evidence> nearMiss(SlabCache c, Slab slab, long bad) {
        long best = 0;
        int bestBits = 65;
        for (int i = 0; i < slab.objects(); i++) {
            long o = slab.object(c, i);
            int bits = Long.bitCount(o ^ bad);
            if (bits < bestBits) {
                bestBits = bits;
                best = o;
            }
        }
        long diff = best ^ bad;
        if (bestBits == 0 || bestBits > 8) {
            return Optional.empty();
        }
        int low = Long.numberOfTrailingZeros(diff);
        int high = 63 - Long.numberOfLeadingZeros(diff);
        if (high - low > 15) {
            return Optional.empty();
        }
        long slot = c.freePointer().slot(best);
        String now;
        Long held = null;
        try {
            held = p.kernel().u64(slot);
            now = hex(held);
        } catch (MemoryFault f) {
            now = "unreadable";
        }
        return Optional.of(new Evidence(hex(bad) + " is object " + hex(best) + " of this slab with bits " + low + ".." + high + " changed (xor "
                + hex(diff) + "); as that object's next pointer its slot " + hex(slot) + " would have stored "
                + hex(c.freePointer().encode(bad, slot)) + " (it holds " + now + " now)", slot, held));
    }

    private String elsewhere(long ptr, SlabCache c) {
        try {
            Optional<Long> s = slabOf(ptr);
            if (s.isPresent()) {
                long cache = new KernelObject(p, slabType, s.get()).read("slab_cache");
                Optional<SlabCache> other = caches().at(cache);
                if (other.isPresent() && other.get().address() != c.address()) {
                    return "; it points into a slab of " + other.get().name();
                }
            }
        } catch (MemoryFault | TypeException e) {
            // nothing more to say about where it points
        }
        return "";
    }

    private boolean canonical(long v) {
        int bits = p.layout().fiveLevel() ? 57 : 48;
        long top = v >> (bits - 1);
        return top == 0 || top == -1;
    }

    /** One CPU's share of a cache: its {@code kmem_cache_cpu}. */
    public record CpuSlab(int cpu, long address, long tid, Freelist freelist, Optional<Slab> slab, Optional<Freelist> slabFreelist,
                          List<Slab> partial) {}

    /** One node's share: {@code kmem_cache_node} counters and lists. */
    public record NodeSlabs(int node, long address, long nrPartial, long nrSlabs, long totalObjects, List<Slab> partial,
                            Optional<List<Slab>> full) {}

    /** crash's {@code kmem -s} counts. */
    public record Census(long allocated, long total, long slabs) {}

    /**
     * A cache walked whole.
     *
     * @param freelists each slab's own freelist, by struct slab address
     * @param free      every free object and where it is free ("cpu 0 cache", "slab freelist")
     */
    public record CacheState(SlabCache cache, List<CpuSlab> cpus, List<NodeSlabs> nodes, Map<Long, Freelist> freelists,
                             Map<Long, String> free, Census census, List<SlabDamage> findings) {
        /** {@return the objects of a slab that some freelist of this cache holds, in address order} */
        public List<Long> freeObjects(Slab s) {
            List<Long> out = new ArrayList<>();
            for (int i = 0; i < s.objects(); i++) {
                long o = s.object(cache, i);
                if (free.containsKey(o)) {
                    out.add(o);
                }
            }
            return out;
        }

        /** {@return every slab the walk reached: each CPU's slab and partial slabs, each node's partial and full lists} */
        public List<Slab> slabs() {
            List<Slab> out = new ArrayList<>();
            for (CpuSlab c : cpus) {
                c.slab().ifPresent(out::add);
                out.addAll(c.partial());
            }
            for (NodeSlabs n : nodes) {
                out.addAll(n.partial());
                n.full().ifPresent(out::addAll);
            }
            return out;
        }

        /**
         * {@return the CPUs whose lockless freelist starts at {@code object}: freeing it again now
         * meets {@code object == fp}, the double-free check of set_freepointer() (mm/slub.c)}
         */
        public List<CpuSlab> cpusWhoseFreelistStartsAt(long object) {
            return cpus.stream().filter(c -> c.freelist().head() == object).toList();
        }
    }

    /** {@return the cache walked: per-cpu and node slabs, every freelist checked, crash's counts} */
    public CacheState state(SlabCache c) {
        List<SlabDamage> findings = new ArrayList<>();
        Map<Long, Freelist> freelists = new LinkedHashMap<>();
        Map<Long, String> free = new HashMap<>();
        List<CpuSlab> cpus = new ArrayList<>();
        long freeCount = 0;
        int cpuSlabs = 0;
        for (int cpu = 0; cpu < cpuOffsets.length; cpu++) {
            long addr = c.cpuSlab() + cpuOffsets[cpu];
            KernelObject k = new KernelObject(p, cpuType, addr);
            try {
                long head = k.read("freelist");
                long slabAddr = k.read(slabMember);
                long tid = k.read("tid");
                String holder = "CPU " + cpu + " kmem_cache_cpu " + hex(addr) + ": freelist " + hex(head) + ", " + slabMember + " "
                        + hex(slabAddr) + ", tid " + hex(tid);
                Origin origin = new Origin("CPU " + cpu + " per-cpu freelist", cpu, -1, addr, holder);
                Optional<Slab> slab = Optional.empty();
                Freelist lockless = new Freelist(head, List.of(), Optional.empty());
                Optional<Freelist> own = Optional.empty();
                if (slabAddr != 0) {
                    Slab s = slab(slabAddr);
                    slab = Optional.of(s);
                    cpuSlabs++;
                    checkSlab(c, s, origin, findings);
                    lockless = walk(c, s, head, origin);
                    lockless.damage().ifPresent(findings::add);
                    Freelist remote = slabFreelist(c, s, new Origin("CPU " + cpu + " slab's freelist", cpu, -1, addr, holder), findings);
                    own = Optional.of(remote);
                    freelists.put(s.address(), remote);
                    crossCheck(c, s, lockless, remote, origin, findings);
                    for (long o : lockless.objects()) {
                        free.put(o, "cpu " + cpu + " cache");
                    }
                    for (long o : remote.objects()) {
                        free.putIfAbsent(o, "slab freelist");
                    }
                    freeCount += s.objects() - s.inuse();
                } else if (head != 0) {
                    findings.add(SlabDamage.of(SlabDamage.Damage.COUNT_MISMATCH, c.name(), c.address(), cpu, -1, 0, 0, 0, 0, head,
                            null, "CPU " + cpu + " has a freelist " + hex(head) + " but no slab", List.of(Evidence.of(holder))));
                }
                freeCount += lockless.entries();
                List<Slab> partial = cpuPartial(c, k, cpu, holder, findings, freelists, free);
                for (Slab s : partial) {
                    freeCount += s.objects() - s.inuse();
                }
                cpus.add(new CpuSlab(cpu, addr, tid, lockless, slab, own, partial));
            } catch (MemoryFault f) {
                findings.add(SlabDamage.of(SlabDamage.Damage.UNREADABLE, c.name(), c.address(), cpu, -1, 0, 0, 0, 0, f.address(),
                        null, "CPU " + cpu + " kmem_cache_cpu unreadable: " + f.getMessage(), List.of()));
            }
        }
        List<NodeSlabs> nodes = new ArrayList<>();
        long total = 0;
        long slabs = 0;
        boolean counted = nodeType.member("total_objects").isPresent();
        for (int n = 0; n < c.nodes().size(); n++) {
            long addr = c.nodes().get(n);
            if (addr == 0) {
                continue;
            }
            KernelObject node = new KernelObject(p, nodeType, addr);
            try {
                long nrPartial = node.read("nr_partial");
                long nrSlabs = counted ? node.read("nr_slabs") : 0;
                long totalObjects = counted ? node.read("total_objects") : 0;
                String holder = "node " + n + " kmem_cache_node " + hex(addr) + ": nr_partial " + nrPartial
                        + (counted ? ", nr_slabs " + nrSlabs + ", total_objects " + totalObjects : "");
                List<Slab> partial = nodeList(c, node, "partial", n, holder, findings, freelists, free);
                if (partial.size() != nrPartial) {
                    findings.add(SlabDamage.of(SlabDamage.Damage.COUNT_MISMATCH, c.name(), c.address(), -1, n, 0, 0, 0, 0, 0,
                            null, "node " + n + " partial list holds " + partial.size() + " slabs, nr_partial says " + nrPartial,
                            List.of(Evidence.of(holder))));
                }
                for (Slab s : partial) {
                    freeCount += s.objects() - s.inuse();
                }
                Optional<List<Slab>> full = nodeType.member("full").isPresent() && debug.storesUsers(c)
                        ? Optional.of(nodeList(c, node, "full", n, holder, findings, freelists, free)) : Optional.empty();
                total += totalObjects;
                slabs += nrSlabs;
                nodes.add(new NodeSlabs(n, addr, nrPartial, nrSlabs, totalObjects, partial, full));
            } catch (MemoryFault f) {
                findings.add(SlabDamage.of(SlabDamage.Damage.UNREADABLE, c.name(), c.address(), -1, n, 0, 0, 0, 0, f.address(),
                        null, "node " + n + " kmem_cache_node unreadable: " + f.getMessage(), List.of()));
            }
        }
        if (!counted) {
            // Without CONFIG_SLUB_DEBUG the kernel keeps no totals: count what the lists show.
            total = 0;
            for (CpuSlab cs : cpus) {
                total += cs.slab().map(Slab::objects).orElse(0) + cs.partial().stream().mapToInt(Slab::objects).sum();
            }
            for (NodeSlabs ns : nodes) {
                total += ns.partial().stream().mapToInt(Slab::objects).sum();
            }
            slabs = cpuSlabs + nodes.stream().mapToLong(NodeSlabs::nrPartial).sum();
        }
        if (debug.debugs(c)) {
            checkObjects(c, cpus, nodes, free, findings);
        }
        Census census = new Census(total - freeCount, total, slabs);
        return new CacheState(c, List.copyOf(cpus), List.copyOf(nodes), freelists, free, census, List.copyOf(findings));
    }

    /** slub_debug's poison and red zones of every object of every slab the walk found. */
    private void checkObjects(SlabCache c, List<CpuSlab> cpus, List<NodeSlabs> nodes, Map<Long, String> free, List<SlabDamage> findings) {
        List<Slab> slabs = new ArrayList<>();
        List<String> holders = new ArrayList<>();
        for (CpuSlab cs : cpus) {
            cs.slab().ifPresent(s -> {
                slabs.add(s);
                holders.add("CPU " + cs.cpu() + " slab " + hex(s.address()));
            });
            for (Slab s : cs.partial()) {
                slabs.add(s);
                holders.add("CPU " + cs.cpu() + " partial slab " + hex(s.address()));
            }
        }
        for (NodeSlabs ns : nodes) {
            for (Slab s : ns.partial()) {
                slabs.add(s);
                holders.add("node " + ns.node() + " partial slab " + hex(s.address()));
            }
            for (Slab s : ns.full().orElse(List.of())) {
                slabs.add(s);
                holders.add("node " + ns.node() + " full slab " + hex(s.address()));
            }
        }
        for (int k = 0; k < slabs.size(); k++) {
            Slab s = slabs.get(k);
            for (int i = 0; i < Math.min(s.objects(), c.objectsPerSlab()); i++) {
                long o = s.object(c, i);
                debug.check(c, s, o, free.containsKey(o), holders.get(k)).ifPresent(findings::add);
            }
        }
    }

    private Freelist slabFreelist(SlabCache c, Slab s, Origin origin, List<SlabDamage> findings) {
        Freelist f = walk(c, s, s.freelist(), origin);
        f.damage().ifPresent(findings::add);
        // Every object not on the slab's own freelist is counted in inuse (mm/slub.c: inuse = objects - free).
        if (f.damage().isEmpty() && s.objects() - s.inuse() != f.objects().size()) {
            findings.add(SlabDamage.of(SlabDamage.Damage.COUNT_MISMATCH, c.name(), c.address(), origin.cpu(), origin.node(), s.address(), 0,
                    0, 0, s.freelist(), null, "slab " + hex(s.address()) + " has " + f.objects().size() + " objects on its freelist but "
                    + "objects - inuse = " + (s.objects() - s.inuse()),
                    List.of(Evidence.of(origin.holderText()), Evidence.at("slab " + hex(s.address()) + ": objects " + s.objects() + ", inuse " + s.inuse(), s.address()))));
        }
        return f;
    }

    /** An object on both a CPU's lockless freelist and its slab's freelist would be handed out twice. */
    private void crossCheck(SlabCache c, Slab s, Freelist lockless, Freelist own, Origin origin, List<SlabDamage> findings) {
        Set<Long> mine = new HashSet<>(lockless.objects());
        for (long o : own.objects()) {
            if (mine.contains(o)) {
                findings.add(SlabDamage.of(SlabDamage.Damage.DUPLICATE, c.name(), c.address(), origin.cpu(), -1, s.address(), o,
                        c.freePointer().slot(o), 0, o, null, "object " + hex(o) + " is on CPU " + origin.cpu()
                        + "'s freelist and on its slab's freelist: it would be allocated twice",
                        List.of(Evidence.of(origin.holderText()), Evidence.read("slab " + hex(s.address()) + " freelist " + hex(s.freelist()), s.address(), s.freelist()))));
                return;
            }
        }
    }

    private void checkSlab(SlabCache c, Slab s, Origin origin, List<SlabDamage> findings) {
        String why = null;
        if (s.cache() != c.address()) {
            Optional<SlabCache> other = caches().at(s.cache());
            why = "slab " + hex(s.address()) + " belongs to " + other.map(o -> "cache " + o.name()).orElse("kmem_cache " + hex(s.cache()))
                    + ", not " + c.name();
        } else if (s.objects() > c.objectsPerSlab() || s.objects() == 0 || s.inuse() > s.objects()) {
            why = "slab " + hex(s.address()) + " claims " + s.objects() + " objects, " + s.inuse() + " in use; the cache fits "
                    + c.objectsPerSlab() + " per slab";
        }
        if (why != null) {
            findings.add(SlabDamage.of(SlabDamage.Damage.BAD_SLAB, c.name(), c.address(), origin.cpu(), origin.node(), s.address(), 0, 0, 0,
                    0, origin.what(), why, List.of(Evidence.of(origin.holderText()), Evidence.of(why))));
        }
    }

    private List<Slab> cpuPartial(SlabCache c, KernelObject k, int cpu, String holder, List<SlabDamage> findings,
                                  Map<Long, Freelist> freelists, Map<Long, String> free) throws MemoryFault {
        List<Slab> partial = new ArrayList<>();
        if (k.struct().member("partial").isEmpty()) {
            return partial;
        }
        Origin origin = new Origin("CPU " + cpu + " partial slabs", cpu, -1, k.address(), holder);
        // slub_percpu_partial(): a NULL-terminated chain through slab->next
        Lists.Walk walk = Lists.singlyLinked(p.kernel(), "CPU " + cpu + "'s partial slabs", k.read("partial"),
                slabType.member("next").orElseThrow().offset(), LIST_LIMIT);
        slabs(c, walk, origin, partial, findings, freelists, free);
        return partial;
    }

    private void visit(SlabCache c, Slab s, Origin origin, List<SlabDamage> findings, Map<Long, Freelist> freelists,
                       Map<Long, String> free) {
        checkSlab(c, s, origin, findings);
        Freelist f = slabFreelist(c, s, origin, findings);
        freelists.put(s.address(), f);
        for (long o : f.objects()) {
            free.putIfAbsent(o, "slab freelist");
        }
    }

    private List<Slab> nodeList(SlabCache c, KernelObject node, String list, int n, String holder, List<SlabDamage> findings,
                                Map<Long, Freelist> freelists, Map<Long, String> free) throws MemoryFault {
        List<Slab> slabs = new ArrayList<>();
        Origin origin = new Origin("node " + n + " " + list + " list", -1, n, node.address(), holder);
        long head = node.addressOf(list);
        long listOffset = slabType.member(listMember).orElseThrow().offset();
        Lists.Walk walk = Lists.listForEachEntry(p.kernel(), p.types(), "node " + n + " " + list + " list", head, listOffset,
                LIST_LIMIT);
        slabs(c, walk, origin, slabs, findings, freelists, free);
        return slabs;
    }

    /** Reads and checks the slabs a list walk reached; where the walk broke is a {@code LIST_BROKEN} finding of the cache. */
    private void slabs(SlabCache c, Lists.Walk walk, Origin origin, List<Slab> into, List<SlabDamage> findings, Map<Long, Freelist> freelists,
                       Map<Long, String> free) {
        for (long at : walk.entries()) {
            Slab s;
            try {
                s = slab(at);
            } catch (MemoryFault f) {
                findings.add(listBroken(c, origin, at, origin.what() + ": slab " + hex(at) + " unreadable: " + f.reason()));
                return;
            }
            into.add(s);
            visit(c, s, origin, findings, freelists, free);
        }
        for (Finding f : walk.findings()) {
            long at = f instanceof ListCorruption l ? l.found() : f instanceof UnreadableMemory u ? u.address() : 0;
            findings.add(listBroken(c, origin, at, f.summary()));
        }
    }

    private SlabDamage listBroken(SlabCache c, Origin o, long at, String why) {
        return SlabDamage.of(SlabDamage.Damage.LIST_BROKEN, c.name(), c.address(), o.cpu(), o.node(), at, 0, 0, 0, at,
                null, why, List.of(Evidence.of(o.holderText()), Evidence.of(why)));
    }

    /** Where an address lies in the slab allocator: crash's {@code kmem ADDR}. */
    public record Location(SlabCache cache, Slab slab, long object, long offset, Optional<String> free, CacheState state) {}

    /** {@return the cache, slab and object holding {@code vaddr}, if it lies in a slab of a known cache} */
    public Optional<Location> locate(long vaddr) throws MemoryFault {
        Optional<Long> page = slabOf(vaddr);
        if (page.isEmpty()) {
            return Optional.empty();
        }
        Slab s = slab(page.get());
        Optional<SlabCache> c = caches().at(s.cache());
        if (c.isEmpty() || !s.spans(c.get(), vaddr) || vaddr - s.memory() < c.get().redLeftPad()) {
            return Optional.empty();
        }
        long object = s.objectOf(c.get(), vaddr);
        CacheState state = state(c.get());
        return Optional.of(new Location(c.get(), s, object, vaddr - object, Optional.ofNullable(state.free().get(object)), state));
    }

    /** {@return the NUMA node of a slab's memory: the node whose pglist_data spans its pfn (0 on one node)} */
    public int node(Slab s) {
        try {
            long pfn = (s.memory() - p.layout().pageOffsetBase()) >>> 12;
            long nodeData = p.address("node_data");
            int n = caches().caches().isEmpty() ? 1 : caches().caches().getFirst().nodes().size();
            for (int i = 0; i < n; i++) {
                long pg = p.kernel().u64(nodeData + 8L * i);
                if (pg == 0) {
                    continue;
                }
                KernelObject g = KernelObject.at(p, "pglist_data", pg);
                long start = g.read("node_start_pfn");
                if (pfn >= start && pfn < start + g.read("node_spanned_pages")) {
                    return i;
                }
            }
        } catch (UnknownSymbolException | MemoryFault | TypeException e) {
            // no NUMA data: one node
        }
        return 0;
    }

    static String hex(long v) {
        return Long.toHexString(v);
    }
}
