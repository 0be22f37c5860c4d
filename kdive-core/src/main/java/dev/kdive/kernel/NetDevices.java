package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.Finding;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * The network devices of a network namespace ({@code net->dev_base_head}, a list of
 * {@code net_device.dev_list}) with their addresses: IPv4 from {@code ip_ptr->ifa_list} (a chain of
 * {@code in_ifaddr}), IPv6 from {@code ip6_ptr->addr_list} (a list of {@code inet6_ifaddr.if_list}), as
 * crash's {@code net} shows them.
 */
public final class NetDevices {
    private NetDevices() {
    }

    public record NetDevice(@Hex long address, String name, List<String> addresses) {}

    public record Table(@Hex long namespace, List<NetDevice> devices, List<Finding> findings) {}

    /** {@return the devices of the task's network namespace ({@code init_net} when it has none)} */
    public static Table of(Program p, Task task) throws MemoryFault, UnknownSymbolException {
        long net = p.address("init_net");
        long nsproxy = KernelObject.at(p, "task_struct", task.address()).read("nsproxy");
        if (nsproxy != 0) {
            long ns = KernelObject.at(p, "nsproxy", nsproxy).read("net_ns");
            net = ns != 0 ? ns : net;
        }
        KernelObject n = KernelObject.at(p, "net", net);
        List<Finding> findings = new ArrayList<>();
        Lists.Walk w = Lists.listForEachEntry(p, "net " + Long.toHexString(net) + " dev_base_head", n.addressOf("dev_base_head"),
                KernelObject.at(p, "net_device", 0).member("dev_list").offset(), Lists.LIMIT);
        findings.addAll(w.findings());
        List<NetDevice> out = new ArrayList<>();
        for (long d : w.entries()) {
            try {
                KernelObject dev = KernelObject.at(p, "net_device", d);
                List<String> addresses = new ArrayList<>();
                long in = dev.read("ip_ptr");
                if (in != 0) {
                    long nextOffset = KernelObject.at(p, "in_ifaddr", 0).member("ifa_next").offset();
                    Lists.Walk ifa = Lists.singlyLinked(p.kernel(), dev.string("name") + " ifa_list", KernelObject.at(p, "in_device", in).read("ifa_list"),
                            nextOffset, 4096);
                    findings.addAll(ifa.findings());
                    for (long a : ifa.entries()) {
                        byte[] b = p.kernel().read(KernelObject.at(p, "in_ifaddr", a).addressOf("ifa_address"), 4);
                        addresses.add((b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff));
                    }
                }
                long in6 = dev.read("ip6_ptr");
                if (in6 != 0) {
                    Lists.Walk ifa6 = Lists.listForEachEntry(p, dev.string("name") + " addr_list", KernelObject.at(p, "inet6_dev", in6).addressOf("addr_list"),
                            KernelObject.at(p, "inet6_ifaddr", 0).member("if_list").offset(), 4096);
                    findings.addAll(ifa6.findings());
                    for (long a : ifa6.entries()) {
                        addresses.add(ipv6(p.kernel().read(KernelObject.at(p, "inet6_ifaddr", a).addressOf("addr"), 16)));
                    }
                }
                out.add(new NetDevice(d, dev.string("name"), addresses));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("net_device " + Long.toHexString(d), f));
            }
        }
        return new Table(net, out, findings);
    }

    /** {@return an IPv6 address as RFC 5952 writes it: lower-case hex groups, the longest run of two or more zero groups as ::} */
    static String ipv6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}
