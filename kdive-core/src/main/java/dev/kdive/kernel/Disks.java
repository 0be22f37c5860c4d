package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.Unavailable;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The disks (whole-disk gendisks) and the requests each has in flight, as the kernel counts them
 * for /sys/block/X/inflight. A bio-based queue ({@code request_queue.mq_ops} NULL) counts them in
 * its whole-disk {@code block_device}'s per-CPU {@code bd_stats->in_flight[READ/WRITE]}
 * (block/genhd.c part_in_flight); a blk-mq queue has no counter, so the kernel walks the busy tags
 * (block/blk-mq.c blk_mq_in_flight_rw): each set bit of a hardware context's tag bitmaps names
 * {@code tags->rqs[tag]}, a request of this queue in state MQ_RQ_IN_FLIGHT counted by direction.
 * Like crash, every request of the queue is counted, whether or not it is accounted
 * ({@code RQF_IO_STAT}, a macro the types do not carry on 6.1).
 */
public final class Disks {
    /** Disk names crash leaves out (RAM disks, loop devices): never real I/O. */
    private static final List<String> SKIPPED = List.of("ram", "loop");
    private static final int MAX_HW_QUEUES = 4096;

    private Disks() {
    }

    /**
     * One disk.
     *
     * @param mq    whether its queue is blk-mq (counts from the tags) rather than bio-based (counts from the disk statistics)
     */
    public record Disk(int major, @Hex long gendisk, String name, @Hex long queue, boolean mq, long read, long write) {
        public long total() {
            return read + write;
        }
    }

    public record Table(List<Disk> disks, List<Finding> findings) {
        public Table {
            disks = List.copyOf(disks);
            findings = List.copyOf(findings);
        }
    }

    /** {@return the disks with a block-device inode, in major and first-minor order} */
    public static Table of(Program p) {
        List<Finding> findings = new ArrayList<>();
        Set<Long> gendisks = new LinkedHashSet<>();
        for (long[] d : Devices.disks(p, findings)) {
            gendisks.add(d[0]);
        }
        List<long[]> order = new ArrayList<>();
        List<Disk> out = new ArrayList<>();
        for (long g : gendisks) {
            try {
                KernelObject disk = KernelObject.at(p, "gendisk", g);
                String name = disk.string("disk_name");
                if (SKIPPED.stream().anyMatch(name::startsWith)) {
                    continue;
                }
                long q = disk.read("queue");
                boolean mq = q != 0 && KernelObject.at(p, "request_queue", q).read("mq_ops") != 0;
                long[] io = q == 0 ? new long[2] : mq ? tags(p, q, findings) : stats(p, disk);
                out.add(new Disk((int) disk.read("major"), g, name, q, mq, io[0], io[1]));
                order.add(new long[] {disk.read("major"), disk.read("first_minor")});
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("gendisk " + Long.toHexString(g), f));
            } catch (UnknownSymbolException e) {
                findings.add(new Unavailable("requests in flight of gendisk " + Long.toHexString(g), e.getMessage()));
            }
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            idx.add(i);
        }
        idx.sort(Comparator.<Integer>comparingLong(i -> order.get(i)[0]).thenComparingLong(i -> order.get(i)[1]));
        return new Table(idx.stream().map(out::get).toList(), findings);
    }

    /** part_in_flight: the whole-disk block_device's per-CPU in_flight[2] (5.11+; before, hd_struct's dkstats). */
    private static long[] stats(Program p, KernelObject disk) throws MemoryFault, UnknownSymbolException {
        long stats;
        Type.Member part0 = disk.member("part0");
        if (part0.type().get().resolved() instanceof Type.Pointer) {
            stats = KernelObject.at(p, "block_device", disk.read("part0")).read("bd_stats");
        } else {
            stats = disk.read("part0.dkstats");
        }
        long inFlight = KernelObject.at(p, "disk_stats", 0).member("in_flight").offset();
        long[] io = new long[2];
        for (long off : p.perCpuOffsets()) {
            io[0] += p.kernel().u64(stats + off + inFlight);
            io[1] += p.kernel().u64(stats + off + inFlight + 8);
        }
        return io;
    }

    /** blk_mq_in_flight_rw: the busy tags of each hardware context, or of the set's shared tags. */
    private static long[] tags(Program p, long q, List<Finding> findings) throws MemoryFault {
        long[] io = new long[2];
        KernelObject queue = KernelObject.at(p, "request_queue", q);
        // shared_tags is allocated only when the set has BLK_MQ_F_TAG_HCTX_SHARED (block/blk-mq.c blk_mq_alloc_set_map_and_rqs)
        long set = queue.read("tag_set");
        long shared = set != 0 && KernelObject.at(p, "blk_mq_tag_set", 0).struct().member("shared_tags").isPresent()
                ? KernelObject.at(p, "blk_mq_tag_set", set).read("shared_tags") : 0;
        List<Long> tagSets = new ArrayList<>();
        if (shared != 0) {
            tagSets.add(shared);
        } else {
            for (long hctx : hardwareContexts(p, queue, findings)) {
                long t = KernelObject.at(p, "blk_mq_hw_ctx", hctx).read("tags");
                if (t != 0 && !tagSets.contains(t)) {
                    tagSets.add(t);
                }
            }
        }
        int inFlight = inFlightState(p);
        for (long t : tagSets) {
            KernelObject tags = KernelObject.at(p, "blk_mq_tags", t);
            long reserved = tags.read("nr_reserved_tags");
            long rqs = tags.read("rqs");
            count(p, q, bitmap(tags, "breserved_tags"), 0, rqs, inFlight, io, findings);
            count(p, q, bitmap(tags, "bitmap_tags"), reserved, rqs, inFlight, io, findings);
        }
        return io;
    }

    /** {@return the sbitmap_queue of a blk_mq_tags: embedded since 5.16, a pointer before} */
    private static long bitmap(KernelObject tags, String member) throws MemoryFault {
        return tags.member(member).type().get().resolved() instanceof Type.Pointer ? tags.read(member) : tags.addressOf(member);
    }

    private static void count(Program p, long q, long sbq, long base, long rqs, int inFlight, long[] io, List<Finding> findings) {
        if (sbq == 0 || rqs == 0) {
            return;
        }
        try {
            byte[] bits = Sbitmaps.of(p, sbq).bitmap();
            for (int i = 0; i < bits.length * 8; i++) {
                if ((bits[i / 8] & (1 << (i % 8))) == 0) {
                    continue;
                }
                long rq = p.kernel().u64(rqs + 8 * (base + i));
                if (rq == 0) {
                    continue;
                }
                KernelObject r = KernelObject.at(p, "request", rq);
                if (r.read("q") == q && r.read("state") == inFlight) {
                    io[(int) (r.read("cmd_flags") & 1)]++; // op_is_write: REQ_OP_* writes are odd (include/linux/blk_types.h)
                }
            }
        } catch (MemoryFault | UnknownSymbolException f) {
            findings.add(new Unavailable("busy tags of request_queue " + Long.toHexString(q), f.getMessage()));
        }
    }

    /** {@return the queue's hardware contexts: the hctx_table xarray (5.19+), or queue_hw_ctx[nr_hw_queues]} */
    private static List<Long> hardwareContexts(Program p, KernelObject queue, List<Finding> findings) throws MemoryFault {
        List<Long> out = new ArrayList<>();
        if (queue.struct().member("hctx_table").isPresent()) {
            Trees.Walk<Trees.Slot> w = Trees.xarrayAt(p, "request_queue hctx_table", queue.addressOf("hctx_table"));
            findings.addAll(w.findings());
            w.nodes().forEach(s -> out.add(s.entry()));
        } else {
            long n = Math.min(queue.read("nr_hw_queues"), MAX_HW_QUEUES);
            long array = queue.read("queue_hw_ctx");
            for (int i = 0; i < n; i++) {
                out.add(p.kernel().u64(array + 8L * i));
            }
        }
        return out;
    }

    /** {@return MQ_RQ_IN_FLIGHT of enum mq_rq_state (include/linux/blk-mq.h)} */
    private static int inFlightState(Program p) {
        return p.types().lookup("enum mq_rq_state").map(Type::resolved).filter(t -> t instanceof Type.Enum)
                .flatMap(t -> ((Type.Enum) t).values().stream().filter(v -> v.name().equals("MQ_RQ_IN_FLIGHT")).findFirst())
                .map(v -> (int) v.value()).orElse(1); // the value since 4.16, when the types lack the enum
    }
}
