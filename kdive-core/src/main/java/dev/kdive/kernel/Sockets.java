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
 * The sockets among a task's open files: a socket inode lives in a {@code struct socket_alloc}
 * right after its {@code struct socket} (net/socket.c sock_alloc_inode), whose {@code sk} is the
 * protocol's {@code struct sock}. Its family and type are in {@code sock_common.skc_family} and
 * {@code sock.sk_type}; the IPv4 addresses and destination port in {@code sock_common}
 * ({@code skc_rcv_saddr}, {@code skc_daddr}, {@code skc_dport}), the source port in
 * {@code inet_sock.inet_sport}, the IPv6 addresses in {@code skc_v6_rcv_saddr}/{@code skc_v6_daddr}
 * (include/net/sock.h, include/net/inet_sock.h).
 */
public final class Sockets {
    /** include/linux/socket.h */
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    private Sockets() {
    }

    /**
     * One socket.
     *
     * @param socket the {@code struct socket}
     * @param sock   its {@code struct sock}, 0 when it has none (not yet connected to a protocol)
     * @param source the local address, dotted (AF_INET) or eight hex groups, none elided (AF_INET6); empty for other families
     * @param dest   the remote address, likewise
     * @param sourcePort the local port (host order); 0 for other families
     * @param destPort   the remote port (host order)
     */
    public record Socket(int fd, @Hex long socket, @Hex long sock, int family, int type, String source, int sourcePort,
                         String dest, int destPort) {}

    public record Table(Task task, List<Socket> sockets, List<Finding> findings) {
        public Table {
            sockets = List.copyOf(sockets);
            findings = List.copyOf(findings);
        }
    }

    public static Table of(Program p, Task task) {
        OpenFiles.Table files = OpenFiles.of(p, task);
        List<Finding> findings = new ArrayList<>(files.problems());
        List<Socket> out = new ArrayList<>();
        for (OpenFiles.Fd fd : files.fds()) {
            if (!fd.type().equals("SOCK")) {
                continue;
            }
            try {
                out.add(socket(p, fd.fd(), fd.inode()));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("socket of fd " + fd.fd() + " of pid " + task.pid(), f));
            }
        }
        return new Table(task, out, findings);
    }

    private static Socket socket(Program p, int fd, long inode) throws MemoryFault {
        long socket = inode - KernelObject.at(p, "socket_alloc", 0).member("vfs_inode").offset();
        long sk = KernelObject.at(p, "socket", socket).read("sk");
        if (sk == 0) {
            return new Socket(fd, socket, 0, 0, 0, "", 0, "", 0);
        }
        KernelObject sock = KernelObject.at(p, "sock", sk);
        int family = (int) sock.read("__sk_common.skc_family");
        int type = (int) sock.read("sk_type");
        String src = "";
        String dst = "";
        int sport = 0;
        int dport = 0;
        if (family == AF_INET || family == AF_INET6) {
            // inet_sock begins with its struct sock (include/net/inet_sock.h), so sk is the inet_sock too
            sport = Short.toUnsignedInt(Short.reverseBytes((short) KernelObject.at(p, "inet_sock", sk).read("inet_sport")));
            dport = Short.toUnsignedInt(Short.reverseBytes((short) sock.read("__sk_common.skc_dport")));
            if (family == AF_INET) {
                src = ipv4(p.kernel().read(sock.addressOf("__sk_common.skc_rcv_saddr"), 4));
                dst = ipv4(p.kernel().read(sock.addressOf("__sk_common.skc_daddr"), 4));
            } else {
                src = ipv6(p.kernel().read(sock.addressOf("__sk_common.skc_v6_rcv_saddr"), 16));
                dst = ipv6(p.kernel().read(sock.addressOf("__sk_common.skc_v6_daddr"), 16));
            }
        }
        return new Socket(fd, socket, sk, family, type, src, sport, dst, dport);
    }

    /** {@return an IPv4 address in network order, dotted} */
    public static String ipv4(byte[] a) {
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }

    /** {@return an IPv6 address as eight hex groups, none elided (crash's form)} */
    static String ipv6(byte[] a) {
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 16; i += 2) {
            groups.add(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff)));
        }
        return String.join(":", groups);
    }
}
