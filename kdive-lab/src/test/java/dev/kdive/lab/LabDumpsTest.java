package dev.kdive.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kdive.dump.DiskDump;
import dev.kdive.dump.DumpFile;
import dev.kdive.dump.ElfCore;
import dev.kdive.dump.FlattenedDump;
import dev.kdive.dump.Vmcoreinfo;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The lab's real artifacts: Debian's kernel crashed under QEMU, every scenario, every format.
 * Builds what is missing (reusing ~/.cache/kdive/lab), so the first run takes minutes.
 */
@Tag("lab")
class LabDumpsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Scenario, Path> DIRS = new EnumMap<>(Scenario.class);

    @BeforeAll
    static void buildLab() throws Exception {
        Lab lab = Lab.standard();
        for (Scenario s : Scenario.values()) {
            DIRS.put(s, lab.build(s, System.out::println));
        }
    }

    private static JsonNode groundTruth(Scenario s) throws Exception {
        return JSON.readTree(DIRS.get(s).resolve(Lab.Artifact.GROUND_TRUTH.file).toFile());
    }

    private static String console(Scenario s) throws Exception {
        return Files.readString(DIRS.get(s).resolve(Lab.Artifact.CONSOLE.file), StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyArtifactIsPresent(Scenario s) {
        for (Lab.Artifact a : Lab.Artifact.values()) {
            if (a.optional() && !Files.exists(DIRS.get(s).resolve(a.file))) {
                continue;
            }
            assertThat(DIRS.get(s).resolve(a.file)).as(a.description).isNotEmptyFile();
        }
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void consoleLogHasTheScenariosOopsLineAndPanic(Scenario s) throws Exception {
        assertThat(console(s)).contains(s.oopsLine()).contains("Kernel panic - not syncing");
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void groundTruthIsFilledFromTheModule(Scenario s) throws Exception {
        JsonNode gt = groundTruth(s);
        assertThat(gt.path("scenario").asText()).isEqualTo(s.id());
        // Debian's ABIs: 6.1.0-57-amd64 (bookworm), 6.12.118+deb13-amd64 (trixie)
        assertThat(gt.path("release").asText()).matches("\\d+\\.\\d+\\.\\d+[-+][\\w.+-]*-amd64");
        assertThat(gt.path("module").path("cpu").asText()).matches("\\d+");
        assertThat(gt.path("module").path("pid").asText()).matches("\\d+");
        assertThat(gt.path("module").path("comm").asText()).isEqualTo("lab-trigger");
        assertThat(gt.path("module").path("provoker").asText()).isEqualTo("kdive_lab_" + s.id().replace('-', '_'));
        assertThat(gt.path("crashing").path("comm").asText()).isNotEmpty();
        if (s.oopses()) {
            assertThat(gt.path("crashing").path("rip").asText()).as("RIP of the oops").matches("\\S+\\+0x[0-9a-f]+/0x[0-9a-f]+");
        }
        assertThat(gt.path("markers")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(gt.path("files").path("pipe_fds").asText()).matches("\\d+,\\d+");
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyDumpFormatCarriesTheGroundTruthsRelease(Scenario s) throws Exception {
        String release = groundTruth(s).path("release").asText();
        for (Lab.Artifact a : Lab.Artifact.values()) {
            if (!a.isDump() || !Files.exists(DIRS.get(s).resolve(a.file))) {
                continue;
            }
            try (DumpFile d = DumpFile.open(DIRS.get(s).resolve(a.file))) {
                String info = d.vmcoreinfo().orElseThrow();
                assertThat(Vmcoreinfo.parse(info)).as(a.file).containsEntry("OSRELEASE", release);
                switch (a) {
                    case ELF, ELF_PAGING -> assertThat(d).isInstanceOf(ElfCore.class);
                    case KDUMP_FLAT -> assertThat(d).isInstanceOf(FlattenedDump.class);
                    default -> assertThat(d).isInstanceOf(DiskDump.class);
                }
            }
        }
        assertThat(Files.readString(DIRS.get(s).resolve(Lab.Artifact.VMCOREINFO.file))).contains("OSRELEASE=" + release);
    }

    @Test
    void qemuElfHasItsProgramHeadersAfterTheSectionHeaders() throws Exception {
        // LAB-NOTES trap 1: the reader must follow e_phoff (192 here), not assume 64.
        try (ElfCore elf = (ElfCore) DumpFile.open(DIRS.get(Scenario.PANIC).resolve(Lab.Artifact.ELF.file))) {
            assertThat(elf.programHeaderOffset()).isEqualTo(192);
            assertThat(elf.programHeaders()).filteredOn(p -> p.type() == 1).isNotEmpty()
                    // paging=false: QEMU 7.2 writes p_vaddr equal to p_paddr, so no virtual address is known
                    .allMatch(p -> p.vaddr() == p.paddr());
            assertThat(elf.notes()).extracting(dev.kdive.dump.Note::name).contains("CORE", "VMCOREINFO");
        }
    }

    @Test
    void slabUafGroundTruthIsConsistentWithTheOops() throws Exception {
        JsonNode m = groundTruth(Scenario.SLAB_UAF).path("module");
        assertThat(m.path("cache").asText()).isEqualTo("kmalloc-192");
        BigInteger random = hex(m.path("random").asText());
        BigInteger slot = hex(m.path("slot").asText());
        BigInteger decoded = hex(m.path("decoded_pointer").asText());
        BigInteger raw = hex(m.path("raw_pointer").asText());
        int offset = m.path("free_pointer_offset").asInt();
        // mm/slub.c freelist_ptr(): stored = ptr ^ s->random ^ swab(slot address)
        BigInteger swab = new BigInteger(1, bigEndian(Long.reverseBytes(slot.longValue())));
        assertThat(decoded.xor(random).xor(swab)).isEqualTo(raw);
        assertThat(slot).isEqualTo(hex(m.path("object").asText()).add(BigInteger.valueOf(offset)));
        long d = decoded.longValue();
        assertThat((d >> 47) == 0 || (d >> 47) == -1).as("decoded pointer is non-canonical").isFalse();
        String console = console(Scenario.SLAB_UAF);
        assertThat(console).contains("general protection fault, probably for non-canonical address 0x"
                + decoded.add(BigInteger.valueOf(offset)).toString(16));
        // the fault is in SLUB's fast path (6.1: __kmem_cache_alloc_node, 6.12: __kmalloc_cache_noprof),
        // reached from the module's kmalloc: a kernel function, called from the provoker
        String rip = groundTruth(Scenario.SLAB_UAF).path("crashing").path("rip").asText();
        assertThat(rip).matches("[\\w.]+\\+0x[0-9a-f]+/0x[0-9a-f]+").doesNotContain("kdive_lab");
        assertThat(console).containsPattern("\\] +" + m.path("provoker").asText() + "\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[kdive_lab\\]");
    }

    @Test
    void hungTaskIsReportedByKhungtaskd() throws Exception {
        assertThat(groundTruth(Scenario.HUNG_TASK).path("crashing").path("comm").asText()).isEqualTo("khungtaskd");
        assertThat(console(Scenario.HUNG_TASK)).contains("task lab-trigger:");
    }

    private static BigInteger hex(String s) {
        return new BigInteger(s.replaceFirst("^0x", ""), 16);
    }

    private static byte[] bigEndian(long v) {
        return java.nio.ByteBuffer.allocate(8).putLong(v).array();
    }
}
