package dev.kdive.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.lab.Lab;
import dev.kdive.lab.Scenario;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real lab dumps cut short or damaged: kdive prints one-line errors, reads what is readable,
 * and exits non-zero only when nothing could be used.
 */
@Tag("lab")
class MalformedDumpTest {
    private static Path copy(Path from, Path to, long length) throws Exception {
        try (FileChannel in = FileChannel.open(from); FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            in.transferTo(0, length, out);
        }
        return to;
    }

    private static void assertOneLineErrorsOnly(CliRun r, String what) {
        assertThat(r.err()).as(what).doesNotContain("Exception", "\tat ");
        r.err().lines().forEach(l -> assertThat(l).as(what).startsWith("kdive: "));
        if (r.status() != 0 && r.out().isEmpty()) {
            assertThat(r.err().lines()).as(what + ": the reason, once").hasSize(1);
        }
    }

    @Test
    void truncatedKdumpFilesGiveOneLineErrorsAndWhatIsReadable(@TempDir Path tmp) throws Exception {
        Path full = Lab.standard().build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.D31_ZLIB.file);
        String release = new com.fasterxml.jackson.databind.ObjectMapper().readTree(full.resolveSibling(Lab.Artifact.GROUND_TRUTH.file).toFile())
                .path("release").asText();
        long size = Files.size(full);
        int usable = 0;
        for (long cut : List.of(0L, 10L, 100L, 427L, 4096L, 4200L, 8192L, 12000L, 40000L, size / 4, size / 2, size * 9 / 10, size - 1)) {
            Path part = copy(full, tmp.resolve("cut-" + cut), cut);
            CliRun r = CliRun.of(part.toString(), "-c", "sys; rd -a linux_banner");
            String what = full.getFileName() + " cut at " + cut;
            assertOneLineErrorsOnly(r, what);
            if (!r.out().isEmpty()) { // sys read what it could; a command may still have failed
                usable++;
                assertThat(r.out()).as(what).contains("RELEASE: " + release); // VMCOREINFO's OSRELEASE, in the file's header
            } else {
                assertThat(r.out()).as(what).isEmpty();
                assertThat(r.err()).as(what).contains(part.toString());
            }
        }
        assertThat(usable).as("cuts that still leave the header, bitmaps and kernel text").isGreaterThanOrEqualTo(2);
    }

    @Test
    void truncatedElfHeadersAreOneLineErrors(@TempDir Path tmp) throws Exception {
        Path full = Lab.standard().build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.ELF.file);
        for (long cut : List.of(0L, 3L, 16L, 63L, 64L, 191L, 200L, 400L, 4096L)) {
            Path part = copy(full, tmp.resolve("cut-" + cut), cut);
            CliRun r = CliRun.of(part.toString(), "-c", "sys");
            assertOneLineErrorsOnly(r, "vmcore.elf cut at " + cut);
            assertThat(r.status()).as("vmcore.elf cut at " + cut).isEqualTo(1);
            assertThat(r.err()).contains(part.toString());
        }
    }

    @Test
    void aCorruptCompressedPageIsReportedAndTheRestIsRead(@TempDir Path tmp) throws Exception {
        Path full = Lab.standard().build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.D31_ZLIB.file);
        Path bad = copy(full, tmp.resolve("bad"), Files.size(full));
        // Find init_uts_ns's page through kdive itself, then damage that page's zlib stream.
        CliRun ok = CliRun.of(bad.toString(), "-c", "vtop init_uts_ns", "--json");
        String phys = ok.out().replaceAll("(?s).*\"physical\":\"0x([0-9a-f]+)\".*", "$1");
        long pfn = Long.parseUnsignedLong(phys, 16) >>> 12;
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            long block = 4096;
            f.seek(428 + 4); // disk_dump_header.sub_hdr_size, bitmap_blocks
            int subHdr = Integer.reverseBytes(f.readInt());
            int bitmapBlocks = Integer.reverseBytes(f.readInt());
            long bitmap2 = block * (1 + subHdr) + bitmapBlocks * block / 2;
            long index = 0;
            for (long p = 0; p < pfn; p++) {
                f.seek(bitmap2 + p / 8);
                index += (f.read() >> (p % 8)) & 1;
            }
            long desc = block * (1 + subHdr) + bitmapBlocks * block + index * 24;
            f.seek(desc);
            long offset = Long.reverseBytes(f.readLong());
            f.seek(offset + 2);
            f.write(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0x55, 0x66, 0x77});
        }
        CliRun r = CliRun.of(bad.toString(), "-c", "rd -a init_uts_ns; rd -a linux_banner; sym init_uts_ns");
        assertOneLineErrorsOnly(r, "damaged page");
        assertThat(r.status()).as(r.out()).isZero();
        assertThat(r.out()).contains("rd: kernel virtual address", "page unreadable", "expected valid zlib data")
                .contains(":  Linux version").contains("(D) init_uts_ns");
    }

    @Test
    void aFileWithTheWrongMagicIsOneLine(@TempDir Path tmp) throws Exception {
        Path full = Lab.standard().build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.D31_LZO.file);
        Path bad = copy(full, tmp.resolve("bad"), 1 << 20);
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            f.write("KDUMB   ".getBytes());
        }
        CliRun r = CliRun.of(bad.toString(), "-c", "sys");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1).first().asString().startsWith("kdive: " + bad + ": at offset 0x0: expected an ELF core,"
                + " a kdump-compressed (\"KDUMP   \") or a makedumpfile flattened file, found signature \"KDUMB   ");
    }

    @Test
    void aVmlinuxOfAnotherBuildIsRefusedByBuildId() throws Exception {
        Lab lab = Lab.standard();
        Path dump = lab.build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.D31_ZLIB.file);
        Path other = lab.releaseDir().resolve("kernel/kdive_lab.ko"); // a real ELF with its own build-id
        CliRun r = CliRun.of(dump.toString(), "--vmlinux", other.toString(), "-c", "sys");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).hasSize(1).first().asString()
                .startsWith("kdive: " + other + ": at offset 0x0: expected the vmlinux of the dump's kernel (VMCOREINFO BUILD-ID=")
                .endsWith("not the kernel that crashed");
    }
}
