package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.ListCorruption;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The I/O port and I/O memory resource trees, {@code ioport_resource} and {@code iomem_resource}
 * (kernel/resource.c): each {@code struct resource} has its first {@code child} and its next
 * {@code sibling} (include/linux/ioport.h), as /proc/ioports and /proc/iomem show them. The walk is
 * depth first, as the kernel's r_next, bounded by a node count, and a node reached twice is a loop.
 */
public final class Resources {
    /** More resources than a machine registers: every PCI BAR, ACPI region and e820 range of a large server many times over. */
    static final int LIMIT = 1 << 20;

    private Resources() {
    }

    /**
     * One resource.
     *
     * @param name  its name, null when the pointer cannot be read
     * @param depth 0 for the root, 1 for its children, ...
     */
    public record Resource(@Hex long address, @Hex long start, @Hex long end, String name, int depth) {}

    /**
     * One tree.
     *
     * @param root      the root's symbol ("ioport_resource")
     * @param resources the root, then every resource in depth-first order
     */
    public record Tree(String root, @Hex long rootEnd, List<Resource> resources, List<Finding> findings) {
        public Tree {
            resources = List.copyOf(resources);
            findings = List.copyOf(findings);
        }
    }

    /** {@return the I/O port tree, then the I/O memory tree} */
    public static List<Tree> of(Program p) throws MemoryFault, UnknownSymbolException {
        return List.of(tree(p, "ioport_resource"), tree(p, "iomem_resource"));
    }

    public static Tree tree(Program p, String root) throws MemoryFault, UnknownSymbolException {
        long rootAddress = p.address(root);
        long rootEnd = KernelObject.at(p, "resource", rootAddress).read("end");
        List<Resource> out = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        // Pending siblings chains: each entry is (next resource to visit, its depth). The root's own
        // siblings are walked too, as they would be if a corrupted root had any.
        Deque<long[]> pending = new ArrayDeque<>();
        pending.push(new long[] {rootAddress, 0});
        while (!pending.isEmpty()) {
            long[] top = pending.pop();
            long r = top[0];
            int depth = (int) top[1];
            if (r == 0) {
                continue;
            }
            if (!seen.add(r)) {
                findings.add(new ListCorruption(ListCorruption.Damage.LOOP, root + " tree", rootAddress, r, 0, r, out.size(), List.of()));
                continue;
            }
            if (out.size() >= LIMIT) {
                findings.add(new ListCorruption(ListCorruption.Damage.TOO_LONG, root + " tree", rootAddress, r, 0, r, out.size(), List.of()));
                break;
            }
            long child;
            long sibling;
            Resource res;
            try {
                KernelObject o = KernelObject.at(p, "resource", r);
                child = o.read("child");
                sibling = o.read("sibling");
                res = new Resource(r, o.read("start"), o.read("end"), name(p, o.read("name")), depth);
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of(root + " tree: resource " + Long.toHexString(r), f));
                continue;
            }
            out.add(res);
            // sibling after the whole subtree: pushed first, popped last
            pending.push(new long[] {sibling, depth});
            if (child != r) {
                pending.push(new long[] {child, depth + 1});
            }
        }
        return new Tree(root, rootEnd, out, findings);
    }

    private static String name(Program p, long name) {
        if (name == 0) {
            return null;
        }
        try {
            return p.kernel().cstring(name, 1024);
        } catch (MemoryFault f) {
            return null;
        }
    }
}
