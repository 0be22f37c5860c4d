package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * The mounts of a task's mount namespace ({@code task->nsproxy->mnt_ns}), as crash's {@code mount}
 * lists them: before 6.8 the namespace's {@code list} of {@code mount.mnt_list}, from 6.8 its
 * red-black tree {@code mounts} of {@code mount.mnt_node} (fs/mount.h), in mount order.
 */
public final class Mounts {
    private Mounts() {
    }

    /**
     * One mount.
     *
     * @param mount    the {@code struct mount}
     * @param type     its superblock's file system type ({@code s_type->name})
     * @param devName  {@code mnt_devname}
     * @param dirName  where it is mounted, as d_path gives it
     */
    public record Mount(@Hex long mount, @Hex long superBlock, String type, String devName, String dirName) {}

    public record Table(@Hex long namespace, List<Mount> mounts, List<Finding> findings) {}

    /** {@return the mounts of {@code task}'s mount namespace} */
    public static Table of(Program p, Task task) throws MemoryFault {
        KernelObject t = KernelObject.at(p, "task_struct", task.address());
        long nsproxy = t.read("nsproxy");
        if (nsproxy == 0) {
            return new Table(0, List.of(), List.of(new dev.kdive.finding.Unavailable("pid " + task.pid() + " mount namespace",
                    "the task has exited its namespaces (nsproxy is NULL)")));
        }
        long ns = KernelObject.at(p, "nsproxy", nsproxy).read("mnt_ns");
        KernelObject mntNs = KernelObject.at(p, "mnt_namespace", ns);
        KernelObject mount0 = KernelObject.at(p, "mount", 0);
        List<Long> mounts = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        String name = "mnt_namespace " + Long.toHexString(ns);
        if (mntNs.struct().member("list").isPresent()) {
            Lists.Walk w = Lists.listForEachEntry(p, name + " list", mntNs.addressOf("list"), mount0.member("mnt_list").offset(), Lists.LIMIT);
            mounts.addAll(w.entries());
            findings.addAll(w.findings());
        } else {
            Trees.Walk<Trees.RbNode> w = Trees.rbtree(p, name + " mounts", mntNs.read("mounts.rb_node"), true);
            long node = mount0.member("mnt_node").offset();
            w.nodes().forEach(n -> mounts.add(n.node() - node));
            findings.addAll(w.findings());
        }
        List<Mount> out = new ArrayList<>();
        for (long m : mounts) {
            try {
                KernelObject mount = KernelObject.at(p, "mount", m);
                long vfsmount = mount.addressOf("mnt");
                long sb = mount.read("mnt.mnt_sb");
                long type = KernelObject.at(p, "super_block", sb).read("s_type");
                String typeName = p.kernel().cstring(KernelObject.at(p, "file_system_type", type).read("name"), 64);
                long dev = mount.read("mnt_devname");
                String devName = dev == 0 ? "none" : p.kernel().cstring(dev, 256);
                out.add(new Mount(m, sb, typeName, devName, OpenFiles.path(p, vfsmount, mount.read("mnt.mnt_root"))));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("mount " + Long.toHexString(m), f));
            }
        }
        return new Table(ns, out, findings);
    }
}
