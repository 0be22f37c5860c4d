package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.NetDevices;
import dev.kdive.kernel.Stacks;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.List;

/** {@code net}: the network devices of the panic task's namespace with their IPv4 and IPv6 addresses, crash's layout. */
final class NetCommand implements ShellCommand {
    @Override
    public String name() {
        return "net";
    }

    @Override
    public String synopsis() {
        return "net                        network devices: NET_DEVICE NAME IP ADDRESS(ES), IPv4 and IPv6";
    }

    @Override
    public String example() {
        return "net                        ffff8e978189b000  lo         127.0.0.1, ::1";
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

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (!args.isEmpty()) {
            throw new UsageException("net: " + String.join(" ", args) + ": only the device list is shown yet (-a, -s, -S and -n are not supported)");
        }
        try {
            Task t = Stacks.panicTask(p).orElseGet(() -> Tasks.walk(p).tasks().getFirst());
            return new Listing(NetDevices.of(p, t));
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("net: " + e.getMessage());
        }
    }
}
