package dev.kdive.kernel;

import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Evidence;
import dev.kdive.finding.Finding;
import dev.kdive.finding.Inconsistent;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.types.MissingLayoutException;
import dev.kdive.types.Type;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks of the kernel's trees, bounded and checked like {@link Lists}: red-black trees
 * (include/linux/rbtree.h), XArrays and the radix trees built on them since 4.20
 * (include/linux/xarray.h) and maple trees (include/linux/maple_tree.h). Layouts come from the
 * dump's types; a node reached twice, an unreadable node or the limit ends that branch with a
 * finding, and the rest of the tree is still walked.
 */
public final class Trees {
    /** More nodes than any kernel tree holds here. */
    public static final int LIMIT = 1 << 22;

    private Trees() {
    }

    /**
     * One node of a red-black tree: the {@code rb_node}'s address and where it sits, as crash's
     * {@code tree -p} spells it ("root/l/r": the right child of the root's left child).
     */
    public record RbNode(@Hex long node, String position) {}

    /** One entry of an XArray, radix tree or maple tree: its index (a maple tree's range is {@code index..last}) and the entry. */
    public record Slot(@Hex long index, @Hex long last, @Hex long entry, String position) {}

    /** What a walk reached, in walk order, and what was wrong on the way. */
    public record Walk<T>(List<T> nodes, List<Finding> findings) {
        public Walk {
            nodes = List.copyOf(nodes);
            findings = List.copyOf(findings);
        }
    }

    /**
     * The nodes of the red-black tree whose first node is {@code top} ({@code rb_root.rb_node}):
     * root, left subtree, right subtree (crash's {@code tree} order), or in key order, leftmost first
     * ({@code inOrder}, crash's {@code -l}, as {@code rb_first}/{@code rb_next} go).
     */
    public static Walk<RbNode> rbtree(Program p, String tree, long top, boolean inOrder) {
        Type.Struct rb = struct(p, "rb_node");
        long left = rb.member("rb_left").orElseThrow().offset();
        long right = rb.member("rb_right").orElseThrow().offset();
        List<RbNode> out = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        rb(p.kernel(), tree, top, "root", left, right, inOrder, new HashSet<>(), out, findings, 0);
        return new Walk<>(out, findings);
    }

    private static void rb(AddressSpace m, String tree, long node, String pos, long left, long right, boolean inOrder, Set<Long> seen,
                           List<RbNode> out, List<Finding> findings, int depth) {
        if (node == 0) {
            return;
        }
        if (depth > 128 || out.size() >= LIMIT || !seen.add(node)) { // a red-black tree of 2^64 nodes is 128 deep at most
            findings.add(new Inconsistent(tree + ": rb_node " + Long.toHexString(node) + " at " + pos, node,
                    "each node once, at most 128 levels", seen.contains(node) ? "reached again: a loop" : "deeper or larger: a loop?",
                    List.of(Evidence.at("node " + Long.toHexString(node), node))));
            return;
        }
        long l;
        long r;
        try {
            l = m.u64(node + left);
            r = m.u64(node + right);
        } catch (MemoryFault f) {
            findings.add(UnreadableMemory.of(tree + ": rb_node at " + pos, f));
            return;
        }
        if (!inOrder) {
            out.add(new RbNode(node, pos));
        }
        rb(m, tree, l, pos + "/l", left, right, inOrder, seen, out, findings, depth + 1);
        if (inOrder) {
            out.add(new RbNode(node, pos));
        }
        rb(m, tree, r, pos + "/r", left, right, inOrder, seen, out, findings, depth + 1);
    }

    /**
     * The present entries of the XArray (or radix tree) whose {@code xa_head} holds {@code head}, in
     * index order. An entry with low bits 10 is internal: above 4096 a node ({@code xa_node}:
     * {@code shift}, {@code slots[]}), below it a sibling or retry marker, which are skipped
     * (xa_is_node, xa_is_sibling in include/linux/xarray.h).
     */
    public static Walk<Slot> xarray(Program p, String tree, long head) {
        List<Slot> out = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        if (isNode(head)) {
            Type.Struct node = struct(p, "xa_node");
            long shiftOff = node.member("shift").orElseThrow().offset();
            Type.Member slots = node.member("slots").orElseThrow();
            int chunk = (int) ((Type.Array) slots.type().get().resolved()).length();
            xa(p.kernel(), tree, head - 2, 0, "root", shiftOff, slots.offset(), chunk, new HashSet<>(), out, findings, 0);
        } else if (head != 0 && (head & 3) != 2) {
            out.add(new Slot(0, 0, head, "root")); // a single entry at index 0 lives in the head itself
        }
        return new Walk<>(out, findings);
    }

    private static boolean isNode(long entry) {
        return (entry & 3) == 2 && Long.compareUnsigned(entry, 4096) > 0;
    }

    private static void xa(AddressSpace m, String tree, long node, long base, String pos, long shiftOff, long slotsOff, int chunk,
                           Set<Long> seen, List<Slot> out, List<Finding> findings, int depth) {
        if (depth > 16 || !seen.add(node) || out.size() >= LIMIT) { // 64-bit indices: at most 11 levels of 64 slots
            findings.add(new Inconsistent(tree + ": xa_node " + Long.toHexString(node), node, "each node once, at most 16 levels",
                    "reached again or deeper: a loop?", List.of(Evidence.at("node " + Long.toHexString(node), node))));
            return;
        }
        try {
            int shift = m.u8(node + shiftOff);
            if (shift >= 64) {
                findings.add(new Inconsistent(tree + ": xa_node " + Long.toHexString(node), node, "shift below 64", "shift " + shift,
                        List.of(Evidence.read("xa_node.shift", node + shiftOff, shift))));
                return;
            }
            for (int i = 0; i < chunk; i++) {
                long e = m.u64(node + slotsOff + 8L * i);
                long index = base + ((long) i << shift);
                if (e == 0 || (e & 3) == 2 && !isNode(e)) {
                    continue; // empty, or a sibling/retry/zero marker
                }
                String at = pos + "/" + i;
                if (isNode(e) && shift > 0) {
                    xa(m, tree, e - 2, index, at, shiftOff, slotsOff, chunk, seen, out, findings, depth + 1);
                } else {
                    out.add(new Slot(index, index, e, at));
                }
            }
        } catch (MemoryFault f) {
            findings.add(UnreadableMemory.of(tree + ": xa_node " + Long.toHexString(node) + " at " + pos, f));
        }
    }

    private static final int MAPLE_LEAF_64 = 1;
    private static final int MAPLE_RANGE_64 = 2;
    private static final int MAPLE_ARANGE_64 = 3;

    /**
     * The entries of the maple tree whose {@code ma_root} is {@code root}, each with its index range
     * (lib/maple_tree.c: encoded node pointers, node type in bits 3..6, 256-byte aligned nodes;
     * range_64/leaf_64 and arange_64 nodes, their pivot and slot counts read from the types; a slot
     * covers (previous pivot, its pivot]).
     */
    public static Walk<Slot> mapleTree(Program p, String tree, long root) {
        List<Slot> out = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        if (isNode(root)) {
            maple(p, tree, root & ~2L, 0, -1L, "root", new HashSet<>(), out, findings, 0);
        } else if (root != 0) {
            out.add(new Slot(0, 0, root, "root"));
        }
        return new Walk<>(out, findings);
    }

    private static void maple(Program p, String tree, long entry, long min, long max, String pos, Set<Long> seen, List<Slot> out,
                              List<Finding> findings, int depth) {
        long node = entry & ~0xffL;
        if (depth > 32 || !seen.add(node) || out.size() >= LIMIT) {
            findings.add(new Inconsistent(tree + ": maple node " + Long.toHexString(node), node, "each node once, at most 32 levels",
                    "reached again or deeper: a loop?", List.of(Evidence.at("node " + Long.toHexString(node), node))));
            return;
        }
        int type = (int) ((entry >>> 3) & 0xf);
        String struct = switch (type) {
            case MAPLE_LEAF_64, MAPLE_RANGE_64 -> "maple_range_64";
            case MAPLE_ARANGE_64 -> "maple_arange_64";
            default -> null;
        };
        if (struct == null) {
            findings.add(new Inconsistent(tree + ": maple node " + Long.toHexString(node), node, "a range node (type " + MAPLE_LEAF_64
                    + ", " + MAPLE_RANGE_64 + " or " + MAPLE_ARANGE_64 + ")", "type " + type, List.of()));
            return;
        }
        try {
            KernelObject n = KernelObject.at(p, struct, node);
            Type.Member pivots = n.member("pivot");
            Type.Member slots = n.member("slot");
            int pivotCount = (int) ((Type.Array) pivots.type().get().resolved()).length();
            int slotCount = (int) ((Type.Array) slots.type().get().resolved()).length();
            long lo = min;
            for (int i = 0; i < slotCount; i++) {
                long hi = i < pivotCount ? p.kernel().u64(node + pivots.offset() + i * 8L) : max;
                if (i > 0 && i < pivotCount && hi == 0) {
                    break; // unused pivots are zero
                }
                if (Long.compareUnsigned(hi, max) > 0) {
                    hi = max;
                }
                long slot = p.kernel().u64(node + slots.offset() + i * 8L);
                if (slot != 0) {
                    if (type == MAPLE_LEAF_64) {
                        out.add(new Slot(lo, hi, slot, pos + "/" + i));
                    } else {
                        maple(p, tree, slot, lo, hi, pos + "/" + i, seen, out, findings, depth + 1);
                    }
                }
                if (Long.compareUnsigned(hi, max) >= 0) {
                    break;
                }
                lo = hi + 1;
            }
        } catch (MemoryFault f) {
            findings.add(UnreadableMemory.of(tree + ": maple node " + Long.toHexString(node) + " at " + pos, f));
        }
    }

    /** {@return the nodes of the red-black tree whose {@code struct rb_root} is at {@code root}} */
    public static Walk<RbNode> rbRoot(Program p, String tree, long root, boolean inOrder) throws MemoryFault {
        return rbtree(p, tree, p.kernel().u64(root + struct(p, "rb_root").member("rb_node").orElseThrow().offset()), inOrder);
    }

    /** {@return the entries of the {@code struct xarray} (or radix_tree_root) at {@code xa}} */
    public static Walk<Slot> xarrayAt(Program p, String tree, long xa) throws MemoryFault {
        return xarray(p, tree, p.kernel().u64(xa + struct(p, "xarray").member("xa_head").orElseThrow().offset()));
    }

    /** {@return the entries of the {@code struct maple_tree} at {@code mt}} */
    public static Walk<Slot> mapleTreeAt(Program p, String tree, long mt) throws MemoryFault {
        return mapleTree(p, tree, p.kernel().u64(mt + struct(p, "maple_tree").member("ma_root").orElseThrow().offset()));
    }

    private static Type.Struct struct(Program p, String name) {
        return (Type.Struct) p.types().lookup("struct " + name)
                .orElseThrow(() -> new MissingLayoutException(p.types().source() + " has no struct " + name));
    }
}
