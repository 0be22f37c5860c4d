package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Bpf;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;

/** {@code bpf [-p | -m]}: loaded BPF programs and maps, crash's layout; nothing at all when none is loaded, as crash prints. */
final class BpfCommand implements ShellCommand {
    @Override
    public String name() {
        return "bpf";
    }

    @Override
    public String synopsis() {
        return "bpf [-p | -m]              loaded BPF programs (ID BPF_PROG BPF_PROG_AUX TYPE TAG USED_MAPS) and maps";
    }

    @Override
    public String example() {
        return "bpf -m                     every BPF map: ID, struct bpf_map, type and flags";
    }

    record Listing(Bpf.Objects objects, boolean progs, boolean maps) implements Output {
        @Override
        public void text(PrintWriter out) {
            if (progs && !objects.progs().isEmpty()) {
                out.println(Text.centre("ID", 4, false) + " " + Text.centre("BPF_PROG", 16, false) + " " + Text.centre("BPF_PROG_AUX", 16, false)
                        + " " + Text.centre("BPF_PROG_TYPE", objects.progTypeWidth(), false) + "       TAG        USED_MAPS");
                for (Bpf.Prog p : objects.progs()) {
                    out.println(Text.centre(Long.toString(p.id()), 4, false) + " " + Text.centre(Long.toHexString(p.prog()), 16, false) + " "
                            + Text.centre(Long.toHexString(p.aux()), 16, false) + " " + Text.centre(p.type(), objects.progTypeWidth(), false) + " "
                            + p.tag() + " " + Text.centre(String.join(",", p.maps().stream().map(String::valueOf).toList()), 9, false) + " ");
                }
            }
            if (maps && !objects.maps().isEmpty()) {
                if (progs && !objects.progs().isEmpty()) {
                    out.println();
                }
                out.println(Text.centre("ID", 4, false) + " " + Text.centre("BPF_MAP", 16, false) + " " + Text.centre("BPF_MAP_TYPE",
                        objects.mapTypeWidth(), false) + " MAP_FLAGS");
                for (Bpf.Map m : objects.maps()) {
                    out.println(Text.centre(Long.toString(m.id()), 4, false) + " " + Text.centre(Long.toHexString(m.map()), 16, false) + " "
                            + Text.centre(m.type(), objects.mapTypeWidth(), false) + "  " + String.format("%08x", m.flags()) + " ");
                }
            }
            objects.findings().forEach(f -> out.println("bpf: " + f.summary()));
        }

        @Override
        public Object json() {
            return objects;
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("bpf", raw, Set.of("-p", "-m", "-P", "-M"), Set.of());
        if (!args.operands().isEmpty()) {
            throw new UsageException("bpf: one program or map by id (-p ID, -m ID) and -s/-j/-T are not supported yet");
        }
        boolean progs = args.has("-p") || args.has("-P") || !(args.has("-m") || args.has("-M"));
        boolean maps = args.has("-m") || args.has("-M") || !(args.has("-p") || args.has("-P"));
        try {
            return new Listing(Bpf.of(p), progs, maps);
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("bpf: " + e.getMessage());
        }
    }
}
