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
import java.util.List;

/**
 * The IPv4 neighbour (ARP) cache, {@code arp_tbl} (net/ipv4/arp.c): its {@code nht}, a
 * {@code neigh_hash_table} of {@code 1 << hash_shift} buckets (net/core/neighbour.c), each a chain
 * of {@code struct neighbour} through {@code next}, or since 6.13 an hlist of them through
 * {@code hash} in {@code hash_heads} (include/net/neighbour.h).
 */
public final class Neighbours {
    /** More buckets than neigh_hash_grow makes: it doubles a table from 8 buckets as entries pass gc_thresh3 (1024 by default). */
    private static final int MAX_SHIFT = 24;
    /** Entries in one bucket's chain before it is taken for a loop. */
    private static final int CHAIN_LIMIT = 65_536;

    private Neighbours() {
    }

    /**
     * One entry.
     *
     * @param ip       its primary key, the IPv4 address
     * @param hwAddress the link-layer address, {@code dev->addr_len} bytes of {@code ha}
     * @param hwType   the device's ARPHRD_* type ({@code net_device.type})
     * @param state    {@code nud_state}, NUD_* bits
     */
    public record Neighbour(@Hex long address, String ip, int hwType, byte[] hwAddress, @Hex long device, String deviceName, int state) {}

    public record Table(@Hex long table, List<Neighbour> neighbours, List<Finding> findings) {
        public Table {
            neighbours = List.copyOf(neighbours);
            findings = List.copyOf(findings);
        }
    }

    public static Table arp(Program p) throws MemoryFault, UnknownSymbolException {
        long tbl = p.address("arp_tbl");
        List<Finding> findings = new ArrayList<>();
        List<Neighbour> out = new ArrayList<>();
        long nht = KernelObject.at(p, "neigh_table", tbl).read("nht");
        if (nht == 0) {
            return new Table(tbl, out, findings);
        }
        KernelObject h = KernelObject.at(p, "neigh_hash_table", nht);
        Type.Struct hashTable = h.struct();
        int buckets;
        if (hashTable.member("hash_shift").isPresent()) {
            int shift = (int) h.read("hash_shift");
            if (shift < 0 || shift > MAX_SHIFT) {
                findings.add(new dev.kdive.finding.Inconsistent("arp_tbl neigh_hash_table", nht, "hash_shift up to " + MAX_SHIFT,
                        "hash_shift " + shift, List.of()));
                return new Table(tbl, out, findings);
            }
            buckets = 1 << shift;
        } else {
            findings.add(new Unavailable("arp_tbl", "struct neigh_hash_table has no hash_shift"));
            return new Table(tbl, out, findings);
        }
        boolean hlist = hashTable.member("hash_heads").isPresent();
        long array = h.read(hlist ? "hash_heads" : "hash_buckets");
        KernelObject n0 = KernelObject.at(p, "neighbour", 0);
        long link = hlist ? n0.member("hash").offset() : n0.member("next").offset();
        int keyLen = (int) Math.min(KernelObject.at(p, "neigh_table", tbl).read("key_len"), 32);
        for (int i = 0; i < buckets; i++) {
            long first;
            try {
                first = p.kernel().u64(array + 8L * i);
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("arp_tbl buckets at " + Long.toHexString(array), f));
                break;
            }
            // an hlist_node's first member is next, so both forms are chains of "next" pointers
            long start = hlist && first != 0 ? first - link : first;
            Lists.Walk chain = hlist
                    ? hlistChain(p, "arp_tbl bucket " + i, start, link)
                    : Lists.singlyLinked(p.kernel(), "arp_tbl bucket " + i, start, link, CHAIN_LIMIT);
            findings.addAll(chain.findings());
            for (long n : chain.entries()) {
                try {
                    out.add(neighbour(p, n, keyLen));
                } catch (MemoryFault f) {
                    findings.add(UnreadableMemory.of("neighbour " + Long.toHexString(n), f));
                }
            }
        }
        return new Table(tbl, out, findings);
    }

    /** {@return the entries of an hlist whose first entry is {@code first}, linked through the hlist_node at {@code link}} */
    private static Lists.Walk hlistChain(Program p, String what, long first, long link) {
        List<Long> entries = new ArrayList<>();
        Lists.Walk nodes = Lists.singlyLinked(p.kernel(), what, first == 0 ? 0 : first + link, 0, CHAIN_LIMIT);
        for (long node : nodes.entries()) {
            entries.add(node - link);
        }
        return new Lists.Walk(entries, nodes.findings());
    }

    private static Neighbour neighbour(Program p, long n, int keyLen) throws MemoryFault {
        KernelObject o = KernelObject.at(p, "neighbour", n);
        byte[] key = p.kernel().read(o.addressOf("primary_key"), Math.max(4, keyLen));
        long dev = o.read("dev");
        int type = 0;
        int addrLen = 0;
        String name = "";
        if (dev != 0) {
            KernelObject d = KernelObject.at(p, "net_device", dev);
            type = (int) d.read("type");
            addrLen = (int) d.read("addr_len");
            name = d.string("name");
        }
        long haSize = o.member("ha").type().get().size();
        byte[] ha = p.kernel().read(o.addressOf("ha"), (int) Math.min(haSize, Math.max(0, addrLen)));
        return new Neighbour(n, Sockets.ipv4(key), type, ha, dev, name, (int) o.read("nud_state"));
    }
}
