package dev.kdive.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.arch.Translation;
import dev.kdive.dump.ElfCore;
import dev.kdive.finding.Finding;
import dev.kdive.finding.SlabDamage;
import dev.kdive.kernel.Kernel;
import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import dev.kdive.program.Program;
import dev.kdive.triage.Analysis;
import dev.kdive.triage.CrashClass;
import dev.kdive.triage.Origin;
import dev.kdive.triage.Triage;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dump whose kernel data is damaged still gets an analysis: what memory shows, and what could not be read and why. */
@Tag("lab")
class AnalyzeCorruptedDumpTest {
    @Test
    void withThePrintkRingBufferPointerSmashedTheFreelistStillGivesTheVerdict(@TempDir Path tmp) throws Exception {
        Path original = Lab.standard().build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.ELF.file);
        long physical;
        try (Program p = Kernel.open(original, Optional.empty())) {
            physical = ((Translation.Mapped) p.kernel().translate(p.address("prb"))).physical(); // kernel/printk/printk.c: the ring in use
        }
        Path copy = tmp.resolve("vmcore.elf");
        Files.copy(original, copy);
        try (Program p = Kernel.open(copy, Optional.empty()); RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            f.seek(KmemTest.fileOffset((ElfCore) p.dump(), physical));
            f.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0xdead_0000_0000_4000L).array());
        }
        Analysis a;
        try (Program p = Kernel.open(copy, Optional.empty())) {
            a = Triage.ofDump(copy.toString(), p);
        }
        assertThat(a.verdict().crashClass()).isEqualTo(CrashClass.SLAB_FREELIST_CORRUPTION);
        assertThat(a.verdict().origin()).as("no log to agree with").isEqualTo(Origin.DUMP);
        assertThat(a.verdict().what()).contains("no crash report");
        assertThat(a.findings().getFirst().finding()).isInstanceOf(SlabDamage.class);
        assertThat(a.limits()).extracting(Finding::summary).anySatisfy(s -> assertThat(s).contains("printk ring buffer"));
        try (Program p = Kernel.open(copy, Optional.empty())) {
            assertThat(ShellRun.ok(p, "analyze")).startsWith("VERDICT: SLUB free-pointer corruption (confidence high, from the dump)").contains("LIMITS");
        }
    }
}
