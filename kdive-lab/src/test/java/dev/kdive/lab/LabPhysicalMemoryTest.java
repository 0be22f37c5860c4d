package dev.kdive.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.dump.DumpFile;
import dev.kdive.dump.Page;
import dev.kdive.dump.PhysicalMemory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every page of every kdump-compressed file the lab writes (QEMU's kdump-zlib flattened stream and
 * its rearranged copy, and
 * makedumpfile -d 31 with zlib, LZO and no compression) equals the same page of QEMU's ELF core,
 * or is reported excluded; no page is corrupt.
 */
@Tag("lab")
class LabPhysicalMemoryTest {
    private static final List<Lab.Artifact> DISKDUMPS =
            List.of(Lab.Artifact.KDUMP_FLAT, Lab.Artifact.KDUMP, Lab.Artifact.D31_ZLIB, Lab.Artifact.D31_LZO, Lab.Artifact.D31_RAW,
                    Lab.Artifact.D31_SNAPPY, Lab.Artifact.D31_ZSTD);

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void diskdumpPagesEqualTheElfCoresPages(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        int stride = s == Scenario.SLAB_UAF ? 1 : 13; // every page once, a sample elsewhere
        try (DumpFile elf = DumpFile.open(dir.resolve(Lab.Artifact.ELF.file))) {
            PhysicalMemory reference = elf.memory();
            for (Lab.Artifact a : DISKDUMPS) {
                if (a.optional() && !java.nio.file.Files.exists(dir.resolve(a.file))) {
                    continue; // no makedumpfile with snappy/zstd on this machine
                }
                try (DumpFile d = DumpFile.open(dir.resolve(a.file))) {
                    PhysicalMemory m = d.memory();
                    long same = 0;
                    long excluded = 0;
                    for (long pfn = 0; pfn < reference.maxPfn(); pfn += stride) {
                        Page want = reference.page(pfn);
                        Page got = m.page(pfn);
                        assertThat(got).as("%s pfn %x", a.file, pfn).isNotInstanceOf(Page.Corrupt.class);
                        if (got instanceof Page.Data g) {
                            assertThat(want).as("%s pfn %x", a.file, pfn).isInstanceOf(Page.Data.class);
                            assertThat(g.bytes().mismatch(((Page.Data) want).bytes())).as("%s pfn %x", a.file, pfn).isEqualTo(-1);
                            same++;
                        } else if (got instanceof Page.Excluded) {
                            excluded++;
                        }
                    }
                    assertThat(same).as(a.file + " pages equal to the ELF core").isGreaterThan(1000);
                    PhysicalMemory.Census c = m.census();
                    assertThat(c.present() + c.excluded() + c.absent()).isEqualTo(m.maxPfn());
                    if (stride == 1) {
                        assertThat(c.present()).as(a.file + " census of present pages").isEqualTo(same);
                        assertThat(c.excluded()).as(a.file + " census of excluded pages").isEqualTo(excluded);
                    }
                    if (a == Lab.Artifact.KDUMP || a == Lab.Artifact.KDUMP_FLAT) {
                        assertThat(c.present()).as("QEMU's kdump holds every page of its ELF core").isEqualTo(reference.census().present());
                    } else { // makedumpfile leaves device ranges QEMU dumped (e.g. 0xfd000000) out of its 1st bitmap
                        assertThat(c.present() + c.excluded()).as(a.file + " RAM pages").isLessThanOrEqualTo(reference.census().present());
                    }
                    if (a == Lab.Artifact.KDUMP || a == Lab.Artifact.KDUMP_FLAT) {
                        assertThat(excluded).as("QEMU's kdump-zlib filters nothing").isZero();
                    } else {
                        // how much -d 31 drops is the makedumpfile's reading of that kernel's page flags:
                        // thousands on 6.1 with bookworm's 1.7.2; on 6.12 trixie's 1.7.6 leaves only ~60
                        // zero pages out (it recognises no free or cache pages of that kernel)
                        assertThat(excluded).as(a.file + " excluded pages (-d 31)").isPositive();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void pagingElfCoreHasTheSamePagesAsThePhysicalOne(Scenario s) throws Exception {
        Path dir = Lab.standard().build(s, System.out::println);
        try (DumpFile elf = DumpFile.open(dir.resolve(Lab.Artifact.ELF.file));
             DumpFile paging = DumpFile.open(dir.resolve(Lab.Artifact.ELF_PAGING.file))) {
            PhysicalMemory reference = elf.memory();
            PhysicalMemory m = paging.memory();
            assertThat(((dev.kdive.dump.ElfCore) paging).programHeaders()).as("PN_XNUM: more than 65535 headers")
                    .hasSizeGreaterThan(0xffff);
            long same = 0;
            for (long pfn = 0; pfn < m.maxPfn(); pfn += 7) {
                if (m.page(pfn) instanceof Page.Data g) {
                    Page want = reference.page(pfn);
                    assertThat(want).as("pfn %x", pfn).isInstanceOf(Page.Data.class);
                    assertThat(g.bytes().mismatch(((Page.Data) want).bytes())).as("pfn %x", pfn).isEqualTo(-1);
                    same++;
                }
            }
            assertThat(same).isGreaterThan(10_000);
            PhysicalMemory.Census c = m.census();
            assertThat(c.present() + c.excluded() + c.absent()).isEqualTo(m.maxPfn());
            assertThat(c.present()).isLessThanOrEqualTo(reference.census().present());
        }
    }
}
