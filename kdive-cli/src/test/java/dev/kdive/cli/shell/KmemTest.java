package dev.kdive.cli.shell;

import dev.kdive.kernel.Kernel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.arch.Translation;
import dev.kdive.dump.ElfCore;
import dev.kdive.kernel.FreePointer;
import dev.kdive.kernel.SlabCache;
import dev.kdive.kernel.Slub;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kmem on the lab's dumps: crash's {@code kmem -s} counts, the slab-uaf corruption against the
 * crash module's ground truth, the double-free object, silence on healthy dumps, and dumps
 * corrupted on purpose.
 */
@Tag("lab")
class KmemTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> dumps() throws Exception {
        CrashReference.transcripts(Lab.standard()); // crash on every dump, as many at once as there are cores
        List<Arguments> list = new ArrayList<>();
        for (Scenario s : Scenario.values()) {
            Path dir = Lab.standard().build(s, System.out::println);
            for (Lab.Artifact a : Lab.Artifact.values()) {
                if (a.isDump() && (!a.optional() || Files.exists(dir.resolve(a.file)))) {
                    list.add(Arguments.of(s, a));
                }
            }
        }
        return list.stream();
    }


    private static List<String> rows(String out) {
        return out.lines().filter(l -> !l.startsWith("kmem:") && !l.startsWith("WARNING") && !l.isBlank()).map(String::stripTrailing).toList();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dumps")
    void kmemSCountsEqualCrash(Scenario s, Lab.Artifact artifact) throws Exception {
        Lab lab = Lab.standard();
        Path dump = lab.build(s, System.out::println).resolve(artifact.file);
        List<String> crash = rows(CrashReference.transcript(lab, s, dump).of("kmem -s"));
        try (Program p = Kernel.open(dump, Optional.empty())) {
            List<String> ours = rows(ShellRun.ok(p, "kmem -s"));
            assertThat(ours).hasSizeGreaterThan(100).isEqualTo(crash);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Lab.Artifact.class, names = {"ELF", "D31_LZO"})
    void kmemPListsEveryPageStructAsCrashDoes(Lab.Artifact artifact) throws Exception {
        Lab lab = Lab.standard();
        Path dir = lab.build(Scenario.SLAB_UAF, System.out::println);
        Path dump = dir.resolve(artifact.file);
        JsonNode gt = JSON.readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile()).path("module");
        String object = Long.toHexString(hex(gt.path("object")));
        List<String> crash = CrashReference.outputs(lab, dump, List.of("kmem -p", "kmem -p " + object));
        try (Program p = Kernel.open(dump, Optional.empty())) {
            assertThat(rows(ShellRun.ok(p, "kmem -p"))).hasSizeGreaterThan(100_000).isEqualTo(rows(crash.get(0)));
            List<String> one = rows(ShellRun.ok(p, "kmem -p " + object));
            assertThat(one).isEqualTo(rows(crash.get(1))).hasSize(2);
            // the page of a slab object: its struct page names the slab cache in MAPPING and is flagged slab
            String page = one.get(1).split(" +")[0];
            String where = ShellRun.ok(p, "kmem " + page);
            assertThat(where).contains("  " + gt.path("cache").asText() + "\n").contains("  " + page + "  ").endsWith(one.get(1) + "\n");
            // PG_slab names it where the kernel has that flag; since 6.10 a slab is a page type, no flag
            if (p.types().lookup("enum pageflags").map(t -> t.resolved()).orElse(null) instanceof dev.kdive.types.Type.Enum e
                    && e.values().stream().anyMatch(v -> v.name().equals("PG_slab"))) {
                assertThat(one.get(1)).endsWith(" slab");
            }
        }
    }

    /**
     * kmem -i against crash's: every row but SLAB. For SLAB kdive shows the kernel's own count
     * (NR_SLAB_RECLAIMABLE_B + NR_SLAB_UNRECLAIMABLE_B, /proc/meminfo's Slab:), crash the pages
     * flagged PG_slab (a compound slab's head only): kdive's must cover every cache's slabs.
     */
    @ParameterizedTest
    @EnumSource(Scenario.class)
    void kmemIEqualsCrashButCountsSlabPagesAsTheKernelDoes(Scenario s) throws Exception {
        Lab lab = Lab.standard();
        Path dump = lab.build(s, System.out::println).resolve(Lab.Artifact.ELF.file);
        List<String> crash = rows(CrashReference.transcript(lab, s, dump).of("kmem -i"));
        try (Program p = Kernel.open(dump, Optional.empty())) {
            List<String> ours = rows(ShellRun.ok(p, "kmem -i"));
            assertThat(ours).hasSameSizeAs(crash).hasSize(15);
            for (int i = 0; i < ours.size(); i++) {
                if (!ours.get(i).strip().startsWith("SLAB ")) {
                    assertThat(ours.get(i)).isEqualTo(crash.get(i));
                }
            }
            long slab = Long.parseLong(ours.stream().filter(l -> l.strip().startsWith("SLAB ")).findFirst().orElseThrow().strip().split(" +")[1]);
            long cachePages = 0;
            for (String row : rows(ShellRun.ok(p, "kmem -s")).subList(1, rows(ShellRun.ok(p, "kmem -s")).size())) {
                String[] f = row.strip().split(" +");
                cachePages += Long.parseLong(f[4]) * Long.parseLong(f[5].replace("k", "")) / 4;
            }
            assertThat(slab).isGreaterThanOrEqualTo(cachePages).isLessThan(cachePages * 2);
        }
    }

    private static long hex(JsonNode n) {
        String s = n.asText();
        return Long.parseUnsignedLong(s.startsWith("0x") ? s.substring(2) : s, 16);
    }

    @ParameterizedTest
    @EnumSource(value = Lab.Artifact.class, names = {"ELF", "KDUMP", "D31_ZLIB", "D31_LZO"})
    void slabUafCorruptedFreelistIsFoundWithTheGroundTruthsValues(Lab.Artifact artifact) throws Exception {
        Path dir = Lab.standard().build(Scenario.SLAB_UAF, System.out::println);
        JsonNode gt = JSON.readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile()).path("module");
        try (Program p = Kernel.open(dir.resolve(artifact.file), Optional.empty())) {
            JsonNode v = JSON.readTree(ShellRun.json(p, "kmem -V")).path("result");
            assertThat(v.path("caches").asInt()).isGreaterThan(100);
            JsonNode findings = v.path("findings");
            assertThat(findings).hasSize(1);
            JsonNode f = findings.get(0);
            assertThat(f.path("kind").asText()).isEqualTo("slab.non_canonical");
            assertThat(f.path("cache").asText()).isEqualTo(gt.path("cache").asText());
            assertThat(f.path("cpu").asText()).isEqualTo(gt.path("cpu").asText());
            long decoded = hex(f.path("pointer"));
            assertThat(decoded).isEqualTo(hex(gt.path("decoded_pointer")));
            long offset = Long.parseLong(gt.path("free_pointer_offset").asText());
            assertThat(decoded + offset).isEqualTo(hex(gt.path("fault_address")));
            // The victim's slot was zeroed when the object was handed out again (init_on_alloc);
            // the evidence still names it and the value it held.
            String evidence = String.join("\n", f.path("evidence").findValuesAsText("text"));
            assertThat(evidence).contains("object " + Long.toHexString(hex(gt.path("object"))))
                    .contains("slot " + Long.toHexString(hex(gt.path("slot"))))
                    .contains("would have stored " + Long.toHexString(hex(gt.path("raw_pointer"))))
                    .contains(" = " + Long.toHexString(hex(gt.path("fault_address"))) + ": a general protection fault");

            String detail = ShellRun.ok(p, "kmem -S " + gt.path("cache").asText());
            assertThat(detail).contains("CPU " + gt.path("cpu").asText() + " SLAB:")
                    .contains("!! " + gt.path("cache").asText() + ": CPU " + gt.path("cpu").asText() + " per-cpu freelist: non-canonical pointer "
                            + Long.toHexString(decoded));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Lab.Artifact.class, names = {"ELF", "D31_LZO"})
    void doubleFreeObjectIsFreeAndHeadsItsCpusFreelist(Lab.Artifact artifact) throws Exception {
        Path dir = Lab.standard().build(Scenario.DOUBLE_FREE, System.out::println);
        JsonNode gt = JSON.readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile()).path("module");
        try (Program p = Kernel.open(dir.resolve(artifact.file), Optional.empty())) {
            long object = hex(gt.path("object"));
            JsonNode r = JSON.readTree(ShellRun.json(p, "kmem " + Long.toHexString(object + 8))).path("result");
            assertThat(r.path("name").asText()).isEqualTo(gt.path("cache").asText());
            assertThat(hex(r.path("object"))).isEqualTo(object);
            assertThat(r.path("offset").asInt()).isEqualTo(8);
            assertThat(r.path("state").asText()).isEqualTo("free");
            assertThat(r.path("headsCpuFreelist").toString()).isEqualTo("[" + gt.path("cpu").asText() + "]");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Scenario.class, names = {"SLAB_UAF", "SLAB_UAF_DEFERRED", "SLAB_POISON"}, mode = EnumSource.Mode.EXCLUDE)
    void healthyDumpsHaveNoFindings(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        try (Program p = Kernel.open(dir.resolve(Lab.Artifact.D31_ZLIB.file), Optional.empty())) {
            JsonNode v = JSON.readTree(ShellRun.json(p, "kmem -V")).path("result");
            assertThat(v.path("findings")).as(v.toString()).isEmpty();
            assertThat(v.path("problems")).isEmpty();
            assertThat(v.path("caches").asInt()).isGreaterThan(100);
        }
    }

    /**
     * slub_debug=FZPU on kmalloc-192: the module wrote into a freed object's poison and panicked.
     * kmem -V names the object, the bytes and their offset, and the alloc and free stacks from
     * the stack depot; kmem ADDR shows the same tracks.
     */
    @ParameterizedTest
    @EnumSource(value = Lab.Artifact.class, names = {"ELF", "D31_LZO"})
    void slabPoisonWriteIsFoundWithTheObjectsTracks(Lab.Artifact artifact) throws Exception {
        Path dir = Lab.standard().build(Scenario.SLAB_POISON, System.out::println);
        JsonNode gt = JSON.readTree(dir.resolve(Lab.Artifact.GROUND_TRUTH.file).toFile()).path("module");
        try (Program p = Kernel.open(dir.resolve(artifact.file), Optional.empty())) {
            JsonNode findings = JSON.readTree(ShellRun.json(p, "kmem -V")).path("result").path("findings");
            assertThat(findings).hasSize(1);
            JsonNode f = findings.get(0);
            long object = hex(gt.path("object"));
            int offset = gt.path("write_offset").asInt();
            int length = gt.path("write_length").asInt();
            assertThat(f.path("kind").asText()).isEqualTo("slab.poison_overwritten");
            assertThat(f.path("cache").asText()).isEqualTo(gt.path("cache").asText());
            assertThat(hex(f.path("object"))).isEqualTo(object);
            assertThat(hex(f.path("pointer"))).isEqualTo(object + offset);
            String byteHex = gt.path("write_byte").asText().substring(2);
            assertThat(f.path("summary").asText()).contains("+" + offset + "..+" + (offset + length - 1))
                    .contains(length + " bytes: " + String.join(" ", java.util.Collections.nCopies(length, byteHex)));
            String evidence = f.path("evidence").toString();
            String provoker = gt.path("provoker").asText();
            assertThat(evidence).contains("allocated by " + provoker + "+").contains("freed by " + provoker + "+")
                    .contains("pid " + gt.path("pid").asText()).contains("crash_write+").contains("vfs_write+");
            String where = ShellRun.ok(p, "kmem " + Long.toHexString(object + offset));
            assertThat(where).contains(Long.toHexString(object) + "  (slab freelist)").contains("allocated by " + provoker + "+")
                    .contains("freed by " + provoker + "+");
        }
    }

    /** A slot to overwrite: where, and the value to store there. */
    private record Patch(long slot, long value) {}

    /**
     * A copy of a healthy dump with two freelists damaged the way the kernel would store it: a
     * free object pointing back to the head of its list (a cycle), and one pointing into a slab
     * of another cache.
     */
    @Test
    void corruptedCopyReportsTheCycleAndTheForeignPointer(@TempDir Path tmp) throws Exception {
        Path dir = Lab.standard().build(Scenario.PANIC, System.out::println);
        Path original = dir.resolve(Lab.Artifact.ELF.file);
        List<Patch> patches = new ArrayList<>();
        String cycleCache;
        String foreignCache;
        String otherCache;
        List<Long> physical = new ArrayList<>();
        try (Program p = Kernel.open(original, Optional.empty())) {
            Slub slub = new Slub(p);
            List<Slub.CacheState> states = slub.caches().caches().stream().map(slub::state).toList();
            // Two caches whose CPU holds a lockless freelist of at least two objects.
            List<Slub.CpuSlab> lists = new ArrayList<>();
            List<SlabCache> owners = new ArrayList<>();
            for (Slub.CacheState st : states) {
                for (Slub.CpuSlab c : st.cpus()) {
                    if (c.freelist().objects().size() >= 2 && owners.size() < 2 && !owners.contains(st.cache())) {
                        lists.add(c);
                        owners.add(st.cache());
                    }
                }
            }
            assertThat(owners).hasSize(2);
            // cycle: the second object's next pointer goes back to the first
            FreePointer fp = owners.get(0).freePointer();
            List<Long> objs = lists.get(0).freelist().objects();
            long slot = fp.slot(objs.get(1));
            patches.add(new Patch(slot, fp.encode(objs.get(0), slot)));
            cycleCache = owners.get(0).name();
            // foreign: the first object's next pointer goes to an object of another cache's slab
            Slub.CacheState other = states.stream().filter(st -> !owners.contains(st.cache()))
                    .filter(st -> st.cpus().stream().anyMatch(c -> c.slab().isPresent())).findFirst().orElseThrow();
            long foreign = other.cpus().stream().filter(c -> c.slab().isPresent()).findFirst().orElseThrow().slab().get().object(other.cache(), 0);
            FreePointer fp2 = owners.get(1).freePointer();
            long slot2 = fp2.slot(lists.get(1).freelist().objects().get(0));
            patches.add(new Patch(slot2, fp2.encode(foreign, slot2)));
            foreignCache = owners.get(1).name();
            otherCache = other.cache().name();
            for (Patch x : patches) {
                physical.add(((Translation.Mapped) p.kernel().translate(x.slot())).physical());
            }
        }
        Path copy = tmp.resolve("vmcore.elf");
        Files.copy(original, copy);
        try (Program p = Kernel.open(copy, Optional.empty()); RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            ElfCore core = (ElfCore) p.dump();
            for (int i = 0; i < patches.size(); i++) {
                f.seek(fileOffset(core, physical.get(i)));
                f.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(patches.get(i).value()).array());
            }
        }
        try (Program p = Kernel.open(copy, Optional.empty())) {
            JsonNode findings = JSON.readTree(ShellRun.json(p, "kmem -V")).path("result").path("findings");
            assertThat(findings).hasSize(2);
            List<String> seen = new ArrayList<>();
            for (JsonNode n : findings) {
                seen.add(n.path("cache").asText() + " " + n.path("kind").asText());
                if (n.path("kind").asText().equals("slab.outside_slab")) {
                    assertThat(n.path("summary").asText() + n.path("evidence")).contains("it points into a slab of " + otherCache);
                }
            }
            assertThat(seen).containsExactlyInAnyOrder(cycleCache + " slab.cycle", foreignCache + " slab.outside_slab");
        }
    }

    static long fileOffset(ElfCore core, long physical) throws IOException {
        for (ElfCore.ProgramHeader h : core.programHeaders()) {
            if (h.type() == 1 && physical >= h.paddr() && physical - h.paddr() < h.fileSize()) {
                return h.offset() + physical - h.paddr();
            }
        }
        throw new IOException("physical " + Long.toHexString(physical) + " is in no PT_LOAD");
    }
}
