package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * Registered character and block device majors, as crash's {@code dev} lists them.
 * Character devices: the {@code chrdevs[]} hash of {@code char_device_struct} chains
 * (fs/char_dev.c), each with its {@code cdev} or, when that is NULL, the {@code cdev} a
 * {@code cdev_map} probe holds for the same major and first minor (drivers that call
 * cdev_add themselves). Block devices: the {@code major_names[]} hash of {@code blk_major_name}
 * chains (block/genhd.c), each with the gendisk of that major among the block-device inodes of
 * {@code blockdev_superblock} (5.11+), or of a {@code bdev_map} probe before.
 */
public final class Devices {
    private Devices() {
    }

    /**
     * One registered major.
     *
     * @param device the {@code cdev} (character) or {@code gendisk} (block), 0 when none is found
     * @param ops    its {@code file_operations} or {@code block_device_operations}, 0 when none
     */
    public record Major(int major, String name, @Hex long device, @Hex long ops) {}

    public record Table(List<Major> character, List<Major> block, List<Finding> findings) {}

    /** dev_t inside the kernel: major in the high 12 bits, minor in the low 20 (include/linux/kdev_t.h MINORBITS). */
    private static final int MINOR_BITS = 20;

    public static Table of(Program p) throws MemoryFault, UnknownSymbolException {
        List<Finding> findings = new ArrayList<>();
        return new Table(character(p, findings), block(p, findings), findings);
    }

    private static List<Major> character(Program p, List<Finding> findings) throws MemoryFault, UnknownSymbolException {
        List<Major> out = new ArrayList<>();
        long chrdevs = p.address("chrdevs");
        int slots = arrayLength(p, "chrdevs", 255);
        long nextOffset = KernelObject.at(p, "char_device_struct", 0).member("next").offset();
        for (int i = 0; i < slots; i++) {
            Lists.Walk chain = Lists.singlyLinked(p.kernel(), "chrdevs[" + i + "]", p.kernel().u64(chrdevs + 8L * i), nextOffset, 4096);
            findings.addAll(chain.findings());
            for (long cd : chain.entries()) {
                try {
                    KernelObject c = KernelObject.at(p, "char_device_struct", cd);
                    int major = (int) c.read("major");
                    int minor = (int) c.read("baseminor");
                    String name = c.string("name");
                    long cdev = c.read("cdev");
                    long ops = cdev == 0 ? 0 : KernelObject.at(p, "cdev", cdev).read("ops");
                    if (ops == 0) {
                        long[] probe = probe(p, "cdev_map", major, minor, findings);
                        if (probe[1] != 0) {
                            cdev = probe[0];
                            ops = probe[1];
                        } else {
                            cdev = 0;
                        }
                    }
                    out.add(new Major(major, name, cdev, ops));
                } catch (MemoryFault f) {
                    findings.add(UnreadableMemory.of("char_device_struct " + Long.toHexString(cd), f));
                }
            }
        }
        return out;
    }

    /** {@return the cdev and its ops that a {@code kobj_map} probe holds for exactly {@code major:minor}, or zeros} */
    private static long[] probe(Program p, String map, int major, int minor, List<Finding> findings) {
        try {
            if (p.symbols().lookup(map).isEmpty()) {
                return new long[2];
            }
            long kobjMap = p.kernel().u64(p.address(map));
            KernelObject m = KernelObject.at(p, "kobj_map", kobjMap);
            long probes = m.addressOf("probes");
            long nextOffset = KernelObject.at(p, "probe", 0).member("next").offset();
            Lists.Walk chain = Lists.singlyLinked(p.kernel(), map + " probes[" + major % 255 + "]", p.kernel().u64(probes + 8L * (major % 255)),
                    nextOffset, 4096);
            findings.addAll(chain.findings());
            for (long pr : chain.entries()) {
                KernelObject probe = KernelObject.at(p, "probe", pr);
                long dev = probe.read("dev");
                if ((dev >>> MINOR_BITS) == major && (dev & ((1 << MINOR_BITS) - 1)) == minor) {
                    long data = probe.read("data");
                    return new long[] {data, data == 0 ? 0 : KernelObject.at(p, "cdev", data).read("ops")};
                }
            }
        } catch (MemoryFault | UnknownSymbolException f) {
            findings.add(new dev.kdive.finding.Unavailable(map + " probes for major " + major, f.getMessage()));
        }
        return new long[2];
    }

    private static List<Major> block(Program p, List<Finding> findings) throws MemoryFault, UnknownSymbolException {
        List<Major> out = new ArrayList<>();
        long names = p.address("major_names");
        int slots = arrayLength(p, "major_names", 255);
        long nextOffset = KernelObject.at(p, "blk_major_name", 0).member("next").offset();
        List<long[]> disks = disks(p, findings);
        for (int i = 0; i < slots; i++) {
            Lists.Walk chain = Lists.singlyLinked(p.kernel(), "major_names[" + i + "]", p.kernel().u64(names + 8L * i), nextOffset, 4096);
            findings.addAll(chain.findings());
            for (long bm : chain.entries()) {
                try {
                    KernelObject b = KernelObject.at(p, "blk_major_name", bm);
                    int major = (int) b.read("major");
                    long disk = 0;
                    long ops = 0;
                    for (long[] d : disks) {
                        if (d[1] == major && d[2] != 0) {
                            disk = d[0];
                            ops = d[2];
                            break;
                        }
                    }
                    out.add(new Major(major, b.string("name"), disk, ops));
                } catch (MemoryFault f) {
                    findings.add(UnreadableMemory.of("blk_major_name " + Long.toHexString(bm), f));
                }
            }
        }
        return out;
    }

    /**
     * {@return each gendisk with a block-device inode, as (gendisk, major, fops)}: the inodes of
     * {@code blockdev_superblock}, each inside a {@code bdev_inode} after its {@code block_device}
     * (block/bdev.c, 5.11+); empty on kernels without it.
     */
    static List<long[]> disks(Program p, List<Finding> findings) {
        List<long[]> out = new ArrayList<>();
        try {
            if (p.symbols().lookup("blockdev_superblock").isEmpty()) {
                return out;
            }
            long sb = p.kernel().u64(p.address("blockdev_superblock"));
            KernelObject s = KernelObject.at(p, "super_block", sb);
            long inodeInBdev = p.types().lookup("struct bdev_inode").isPresent()
                    ? KernelObject.at(p, "bdev_inode", 0).member("vfs_inode").offset()
                    : KernelObject.at(p, "block_device", 0).struct().size();
            Lists.Walk inodes = Lists.listForEachEntry(p, "blockdev_superblock s_inodes", s.addressOf("s_inodes"),
                    KernelObject.at(p, "inode", 0).member("i_sb_list").offset(), Lists.LIMIT);
            findings.addAll(inodes.findings());
            for (long inode : inodes.entries()) {
                long disk = KernelObject.at(p, "block_device", inode - inodeInBdev).read("bd_disk");
                if (disk != 0) {
                    KernelObject g = KernelObject.at(p, "gendisk", disk);
                    out.add(new long[] {disk, g.read("major"), g.read("fops")});
                }
            }
        } catch (MemoryFault | UnknownSymbolException f) {
            findings.add(new dev.kdive.finding.Unavailable("block device inodes", f.getMessage()));
        }
        return out;
    }

    private static int arrayLength(Program p, String variable, int fallback) {
        return p.types().variable(variable).map(Type::resolved).filter(t -> t instanceof Type.Array)
                .map(t -> (int) ((Type.Array) t).length()).orElse(fallback);
    }
}
