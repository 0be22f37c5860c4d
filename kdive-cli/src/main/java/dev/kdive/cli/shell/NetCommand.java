package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Neighbours;
import dev.kdive.kernel.NetDevices;
import dev.kdive.kernel.Sockets;
import dev.kdive.kernel.Stacks;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code net}: the network devices of the panic task's namespace with their IPv4 and IPv6 addresses, crash's layout. */
final class NetCommand implements ShellCommand {
    @Override
    public String name() {
        return "net";
    }

    @Override
    public String synopsis() {
        return "net [-a | -s [PID|TASK…]]  network devices: NET_DEVICE NAME IP ADDRESS(ES); -a ARP cache; -s a task's sockets (default: the panic task)";
    }

    @Override
    public String example() {
        return "net -s 152                  6 ffff8f11014a89c0 ffff8f1101075c00 UNIX:STREAM";
    }

    record Listing(NetDevices.Table table) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println(Text.centre("NET_DEVICE", 16, false) + "  NAME       IP ADDRESS(ES)");
            for (NetDevices.NetDevice d : table.devices()) {
                out.println(String.format("%16x  %-10s %s", d.address(), d.name(), String.join(", ", d.addresses())).stripTrailing());
            }
            table.findings().forEach(f -> out.println("net: " + f.summary()));
        }

        @Override
        public Object json() {
            return table;
        }
    }

    /** {@code net -a}: crash's layout, the header only when there is an entry. */
    record Arp(Neighbours.Table table) implements Output {
        @Override
        public void text(PrintWriter out) {
            if (!table.neighbours().isEmpty()) {
                out.println("NEIGHBOUR        IP ADDRESS      HW TYPE    HW ADDRESS         DEVICE  STATE");
            }
            for (Neighbours.Neighbour n : table.neighbours()) {
                String ip = n.ip();
                String type = hwType(n.hwType());
                StringBuilder hw = new StringBuilder();
                for (int i = 0; i < n.hwAddress().length; i++) { // crash: ETHER colon-separated, others space-separated
                    boolean last = i == n.hwAddress().length - 1;
                    hw.append(String.format("%02x", n.hwAddress()[i] & 0xff)).append(type.equals("ETHER") && !last ? ':' : ' ');
                }
                out.println((String.format("%-16x %-16s%-10s ", n.address(), ip, type) + hw + String.format(" %-6s  ", n.deviceName())
                        + state(n.state())).stripTrailing());
            }
            table.findings().forEach(f -> out.println("net: " + f.summary()));
        }

        /** ARPHRD_* of include/uapi/linux/if_arp.h, the ones crash names. */
        private static String hwType(int t) {
            return switch (t) {
                case 0 -> "NETROM";
                case 1 -> "ETHER";
                case 2 -> "EETHER";
                case 3 -> "AX25";
                case 4 -> "PRONET";
                case 5 -> "CHAOS";
                case 6 -> "IEEE802";
                case 7 -> "ARCNET";
                case 8 -> "APPLETLK";
                case 15 -> "DLCI";
                case 23 -> "METRICOM";
                default -> "UNKNOWN";
            };
        }

        /** NUD_* bits of include/uapi/linux/neighbour.h, joined by '|'. */
        private static String state(int s) {
            String[] names = {"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"};
            List<String> on = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                if ((s & (1 << i)) != 0) {
                    on.add(names[i]);
                }
            }
            return String.join("|", on);
        }

        @Override
        public Object json() {
            return table;
        }
    }

    /** One task's sockets, or why a PID or address names no task. */
    record TaskSockets(Sockets.Table table, String error) {}

    /** {@code net -s}: per task, its header, then its sockets or "No open sockets.", crash's layout. */
    record Socks(List<TaskSockets> tasks) implements Output {
        @Override
        public void text(PrintWriter out) {
            for (int i = 0; i < tasks.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                if (tasks.get(i).error() != null) {
                    out.println(tasks.get(i).error());
                    continue;
                }
                Sockets.Table t = tasks.get(i).table();
                out.println(Text.taskHeader(t.task()));
                if (t.sockets().isEmpty()) {
                    out.println("No open sockets.");
                } else {
                    out.println("FD      SOCKET            SOCK       FAMILY:TYPE SOURCE-PORT DESTINATION-PORT");
                }
                for (Sockets.Socket s : t.sockets()) {
                    out.println((String.format("%2d %16x %16x ", s.fd(), s.socket(), s.sock()) + info(s)).stripTrailing());
                }
                t.findings().forEach(f -> out.println("net: " + f.summary()));
            }
        }

        private static String info(Sockets.Socket s) {
            String family = switch (s.family()) {
                case 0 -> "UNSPEC";
                case 1 -> "UNIX";
                case 2 -> "INET";
                case 3 -> "AX25";
                case 4 -> "IPX";
                case 5 -> "APPLETALK";
                case 6 -> "NETROM";
                case 7 -> "BRIDGE";
                case 8 -> "ATMPVC";
                case 9 -> "X25";
                case 10 -> "INET6";
                case 11 -> "ROSE";
                case 12 -> "DECnet";
                case 13 -> "NETBEUI";
                case 14 -> "SECURITY/KEY";
                case 16 -> "NETLINK/ROUTE";
                case 17 -> "PACKET";
                case 18 -> "ASH";
                case 19 -> "ECONET";
                case 20 -> "ATMSVC";
                case 22 -> "SNA";
                case 23 -> "IRDA";
                case 24 -> "PPPOX";
                default -> Integer.toString(s.family());
            };
            String type = switch (s.type()) { // SOCK_* of include/linux/net.h; crash pads DGRAM
                case 1 -> "STREAM";
                case 2 -> "DGRAM ";
                case 3 -> "RAW";
                case 4 -> "RDM";
                case 5 -> "SEQPACKET";
                case 10 -> "PACKET";
                default -> Integer.toString(s.type());
            };
            String line = family + ":" + type + " ";
            if (s.family() == Sockets.AF_INET) {
                line += " " + s.source() + "-" + s.sourcePort() + " " + s.dest() + "-" + s.destPort();
            } else if (s.family() == Sockets.AF_INET6) {
                String src = s.source() + "-" + s.sourcePort();
                line += String.format("%12s ", src) + Text.centre(s.dest() + "-" + s.destPort(), src.length(), false);
            }
            return line;
        }

        @Override
        public Object json() {
            return tasks;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.size() == 1 && args.getFirst().equals("-a")) {
            if (p.symbols().lookup("arp_tbl").isEmpty()) {
                return Text.of("net: arp_tbl does not exist in this kernel");
            }
            try {
                return new Arp(Neighbours.arp(p));
            } catch (MemoryFault | UnknownSymbolException e) {
                return Text.of("net: " + e.getMessage());
            }
        }
        if (!args.isEmpty() && args.getFirst().equals("-s")) {
            return new Socks(tasks(p, args.subList(1, args.size())));
        }
        if (!args.isEmpty()) {
            throw new UsageException("net: " + String.join(" ", args) + ": only net, net -a and net -s [PID|TASK]... are supported (-S, -n, -R, -N, -x and -d are not)");
        }
        try {
            Task t = Stacks.panicTask(p).orElseGet(() -> Tasks.walk(p).tasks().getFirst());
            return new Listing(NetDevices.of(p, t));
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("net: " + e.getMessage());
        }
    }

    /**
     * {@return the sockets of the tasks named by PIDs or task addresses (every task of a PID, as the
     * idle tasks share 0), or of the panic task}; a word that names no task is an error line, and the
     * others are still shown
     */
    private static List<TaskSockets> tasks(Program p, List<String> args) throws UsageException {
        try {
            if (args.isEmpty()) {
                Task t = Stacks.panicTask(p).orElseThrow(() -> new UsageException("net -s: panic_cpu is not set; give a PID"));
                return List.of(new TaskSockets(Sockets.of(p, t), null));
            }
            List<Task> all = Tasks.withIdle(p);
            List<TaskSockets> out = new ArrayList<>();
            for (String a : args) {
                List<Task> matches;
                if (!a.matches("\\d+")) { // crash reads a decimal word as a PID, anything else as a task address
                    long addr = Args.address(p, "net", a);
                    matches = all.stream().filter(t -> t.address() == addr).toList();
                } else {
                    int pid = (int) Args.number("net", a);
                    matches = all.stream().filter(t -> t.pid() == pid).toList();
                }
                if (matches.isEmpty()) {
                    out.add(new TaskSockets(null, "net: invalid task or pid value: " + a));
                }
                matches.forEach(t -> out.add(new TaskSockets(Sockets.of(p, t), null)));
            }
            return out;
        } catch (MemoryFault | UnknownSymbolException e) {
            throw new UsageException("net: " + e.getMessage());
        }
    }
}
