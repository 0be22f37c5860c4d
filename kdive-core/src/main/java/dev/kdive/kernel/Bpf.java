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
import java.util.HexFormat;
import java.util.List;

/**
 * Loaded BPF programs and maps (kernel/bpf/syscall.c): the IDRs {@code prog_idr} and {@code map_idr}
 * (XArrays in {@code idr_rt}), an entry's index its id; type names from the dump's
 * {@code enum bpf_prog_type} and {@code enum bpf_map_type}, as crash's {@code bpf} lists them.
 */
public final class Bpf {
    private Bpf() {
    }

    /** A program: id, {@code bpf_prog}, its {@code aux}, type name (BPF_PROG_TYPE_ dropped), tag in hex, the ids of the maps it uses. */
    public record Prog(long id, @Hex long prog, @Hex long aux, String type, String tag, List<Long> maps) {}

    /** A map: id, {@code bpf_map}, type name (BPF_MAP_TYPE_ dropped), {@code map_flags}. */
    public record Map(long id, @Hex long map, String type, @Hex long flags) {}

    public record Objects(List<Prog> progs, List<Map> maps, int progTypeWidth, int mapTypeWidth, List<Finding> findings) {}

    public static Objects of(Program p) throws MemoryFault, UnknownSymbolException {
        List<Finding> findings = new ArrayList<>();
        java.util.Map<Long, String> progTypes = names(p, "enum bpf_prog_type", "BPF_PROG_TYPE_");
        java.util.Map<Long, String> mapTypes = names(p, "enum bpf_map_type", "BPF_MAP_TYPE_");
        List<Prog> progs = new ArrayList<>();
        for (Trees.Slot s : idr(p, "prog_idr", findings)) {
            try {
                KernelObject prog = KernelObject.at(p, "bpf_prog", s.entry());
                long aux = prog.read("aux");
                KernelObject a = KernelObject.at(p, "bpf_prog_aux", aux);
                List<Long> used = new ArrayList<>();
                long count = a.read("used_map_cnt");
                long array = a.read("used_maps");
                long idOffset = KernelObject.at(p, "bpf_map", 0).member("id").offset();
                for (int i = 0; i < Math.min(count, 64); i++) {
                    used.add((long) p.kernel().u32(p.kernel().u64(array + 8L * i) + idOffset));
                }
                byte[] tag = p.kernel().read(prog.addressOf("tag"), 8);
                long type = prog.read("type");
                progs.add(new Prog(s.index(), s.entry(), aux, progTypes.getOrDefault(type, Long.toString(type)), HexFormat.of().formatHex(tag), used));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("bpf_prog " + Long.toHexString(s.entry()), f));
            }
        }
        List<Map> maps = new ArrayList<>();
        for (Trees.Slot s : idr(p, "map_idr", findings)) {
            try {
                KernelObject m = KernelObject.at(p, "bpf_map", s.entry());
                long type = m.read("map_type");
                maps.add(new Map(s.index(), s.entry(), mapTypes.getOrDefault(type, Long.toString(type)), m.read("map_flags")));
            } catch (MemoryFault f) {
                findings.add(UnreadableMemory.of("bpf_map " + Long.toHexString(s.entry()), f));
            }
        }
        return new Objects(progs, maps, width(progTypes), width(mapTypes), findings);
    }

    private static List<Trees.Slot> idr(Program p, String symbol, List<Finding> findings) throws MemoryFault, UnknownSymbolException {
        KernelObject idr = KernelObject.at(p, "idr", p.address(symbol));
        Trees.Walk<Trees.Slot> w = Trees.xarray(p, symbol, idr.read("idr_rt.xa_head"));
        findings.addAll(w.findings());
        long base = idr.read("idr_base");
        return w.nodes().stream().map(s -> new Trees.Slot(s.index() + base, s.last() + base, s.entry(), s.position())).toList();
    }

    private static java.util.Map<Long, String> names(Program p, String enumName, String prefix) {
        java.util.Map<Long, String> out = new java.util.HashMap<>();
        p.types().lookup(enumName).map(Type::resolved).filter(t -> t instanceof Type.Enum)
                .ifPresent(t -> ((Type.Enum) t).values().forEach(v -> out.putIfAbsent(v.value(), v.name().replace(prefix, ""))));
        return out;
    }

    private static int width(java.util.Map<Long, String> names) {
        return names.values().stream().mapToInt(String::length).max().orElse(13);
    }
}
