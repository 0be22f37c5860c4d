package dev.kdive.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.elf.ElfFile;
import dev.kdive.lab.Lab;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** kdive addr2line against binutils' addr2line on Debian's debug vmlinux. */
@Tag("lab")
class Addr2lineTest {
    private static Map<String, String> blocks(String output) {
        Map<String, String> m = new LinkedHashMap<>();
        String key = null;
        StringBuilder b = new StringBuilder();
        for (String line : output.lines().toList()) {
            if (line.matches("0x[0-9a-f]{16}")) {
                if (key != null) {
                    m.put(key, b.toString());
                }
                key = line;
                b.setLength(0);
            } else {
                b.append(line).append('\n');
            }
        }
        if (key != null) {
            m.put(key, b.toString());
        }
        return m;
    }

    /**
     * Where a DWARF 5 line table's entry 1 is not a copy of entry 0 (GCC's trace-event units: entry
     * 1 is the trace header), rows that never set the file register mean entry 1, as the DWARF 5
     * standard and llvm-dwarfdump read it; binutils 2.40 prints the unit's primary file (entry 0)
     * instead. Such answers must agree in everything but that first file name.
     */
    private static boolean samePathlessAnswer(String ours, String theirs) {
        if (ours == null) {
            return false;
        }
        List<String> a = ours.lines().toList();
        List<String> b = theirs.lines().toList();
        if (a.size() != b.size() || a.size() < 2) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            String x = i == 1 ? a.get(i).replaceFirst("^.*:", "") : a.get(i);
            String y = i == 1 ? b.get(i).replaceFirst("^.*:", "") : b.get(i);
            if (!x.equals(y)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void thousandRandomTextAddressesEqualBinutils() throws Exception {
        Path vmlinux = Lab.standard().debuginfo(System.out::println);
        List<String> addrs = new ArrayList<>();
        try (ElfFile elf = ElfFile.open(vmlinux)) {
            // __pfx_FUNC (objtool, 6.2+ CALL_PADDING) names the NOP padding before FUNC, which no
            // DWARF unit's line table claims: there binutils guesses (??:? or a neighbouring unit's file)
            List<ElfFile.ElfSymbol> functions = elf.symbols().stream().filter(s -> s.type() == 2 && s.size() > 0)
                    .filter(s -> !s.name().startsWith("__pfx_")).toList();
            Random r = new Random(20261124);
            java.util.Set<String> distinct = new java.util.LinkedHashSet<>(); // a vmlinux may draw one twice
            while (distinct.size() < 1000) {
                ElfFile.ElfSymbol f = functions.get(r.nextInt(functions.size()));
                distinct.add("0x" + Long.toHexString(f.value() + (long) (r.nextDouble() * f.size())));
            }
            addrs.addAll(distinct);
        }
        Process p = new ProcessBuilder("addr2line", "-f", "-i", "-a", "-e", vmlinux.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write((String.join("\n", addrs) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String theirs = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        List<String> args = new ArrayList<>(List.of("addr2line", "--vmlinux", vmlinux.toString(), "-f", "-i", "-a"));
        args.addAll(addrs);
        String ours = CliRun.ok(args.toArray(String[]::new));
        Map<String, String> a = blocks(ours);
        Map<String, String> b = blocks(theirs);
        assertThat(a).hasSize(1000);
        int inlined = 0;
        List<String> differ = new ArrayList<>();
        int pathOnly = 0;
        for (String k : b.keySet()) {
            if (!b.get(k).equals(a.get(k))) {
                if (samePathlessAnswer(a.get(k), b.get(k))) {
                    pathOnly++; // see samePathlessAnswer: binutils names the unit's own file for line-table file 1
                } else {
                    differ.add(k + "\n--- binutils\n" + b.get(k) + "--- kdive\n" + a.get(k));
                }
            }
            if (b.get(k).lines().count() > 2) {
                inlined++;
            }
        }
        assertThat(differ).as("addresses where kdive and binutils differ").isEmpty();
        assertThat(pathOnly).as("answers differing only in the first frame's file").isLessThan(20);
        assertThat(inlined).as("addresses inside inlined code").isGreaterThan(100);
    }

    @Test
    void theSlabUseAfterFreeFaultUnwindsThroughSlubsInlinedFreelistHelpers() throws Exception {
        Lab lab = Lab.standard();
        Path vmlinux = lab.debuginfo(System.out::println);
        String rip = slabUafRip(lab);
        String out = CliRun.ok("addr2line", "--vmlinux", vmlinux.toString(), "-f", "-i", rip);
        List<String> functions = new ArrayList<>();
        List<String> lines = out.lines().toList();
        for (int i = 0; i < lines.size(); i += 2) {
            functions.add(lines.get(i));
            assertThat(lines.get(i + 1)).matches(".*/mm/slub\\.c:\\d+");
        }
        // the chain is the build's (6.1: freelist_ptr ... __kmem_cache_alloc_node; 6.12: freelist_ptr_decode
        // ... __kmalloc_cache_noprof): it starts in SLUB's free-pointer decoding, ends in the RIP function
        // and equals binutils' answer for the same address
        assertThat(functions).hasSizeGreaterThan(2);
        assertThat(functions.getFirst()).startsWith("freelist_ptr");
        assertThat(functions.getLast()).isEqualTo(rip.replaceFirst("\\+.*", ""));
        assertThat(functions).isEqualTo(binutilsChain(vmlinux, rip));
        // the same answer as data: one JSON object per address, frames innermost first
        JsonNode answer = new ObjectMapper().readTree(CliRun.ok("addr2line", "--vmlinux", vmlinux.toString(), "-i", "--json", rip));
        assertThat(answer.path("input").asText()).isEqualTo(rip);
        assertThat(answer.path("address").asText()).startsWith("0xffffffff");
        List<String> jsonFunctions = new ArrayList<>();
        answer.path("frames").forEach(f -> {
            jsonFunctions.add(f.path("function").asText());
            assertThat(f.path("file").asText()).endsWith("mm/slub.c");
            assertThat(f.path("line").asInt()).isPositive();
        });
        assertThat(jsonFunctions).isEqualTo(functions);
    }

    @Test
    void listInTheShellMapsTheDumpsKaslrAddressToSlubSource() throws Exception {
        Lab lab = Lab.standard();
        Path vmlinux = lab.debuginfo(System.out::println);
        Path dump = lab.build(dev.kdive.lab.Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.D31_ZLIB.file);
        String out = CliRun.ok(dump.toString(), "--vmlinux", vmlinux.toString(), "-c",
                "list *(" + slabUafRip(lab).replaceFirst("/.*", "") + ")");
        List<String> lines = out.lines().toList();
        List<String> chain = binutilsChain(vmlinux, slabUafRip(lab));
        assertThat(lines.getFirst()).matches("0x[0-9a-f]+ is in " + chain.getFirst() + " \\(.*/mm/slub\\.c:\\d+\\)\\.");
        assertThat(lines).filteredOn(l -> l.startsWith("  inlined into ")).extracting(l -> l.split(" ")[4])
                .isEqualTo(chain.subList(1, chain.size()));
    }

    /** {@return where the slab-uaf GPF hit, as the kernel printed it ("__kmem_cache_alloc_node+0x12e/0x2a0"): build-specific} */
    private static String slabUafRip(Lab lab) throws Exception {
        Path dir = lab.build(dev.kdive.lab.Scenario.SLAB_UAF, System.out::println);
        String rip = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile())
                .path("crashing").path("rip").asText();
        assertThat(rip).matches("[\\w.]+\\+0x[0-9a-f]+/0x[0-9a-f]+"); // SLUB's fast path: __kmem_cache_alloc_node on 6.1, __kmalloc_cache_noprof on 6.12
        return rip;
    }

    /** {@return binutils' addr2line -f -i function chain for FUNC+0xOFF of the vmlinux (its own, unrelocated address)} */
    private static List<String> binutilsChain(Path vmlinux, String rip) throws Exception {
        String name = rip.replaceFirst("\\+.*", "");
        long off = Long.parseLong(rip.replaceFirst(".*\\+0x([0-9a-f]+)/.*", "$1"), 16);
        long start;
        try (ElfFile elf = ElfFile.open(vmlinux)) {
            start = elf.symbols().stream().filter(s -> s.name().equals(name) && s.type() == 2).findFirst().orElseThrow().value();
        }
        Process p = new ProcessBuilder("addr2line", "-f", "-i", "-e", vmlinux.toString(), "0x" + Long.toHexString(start + off))
                .redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> functions = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 2) {
            functions.add(lines.get(i));
        }
        return functions;
    }
}
