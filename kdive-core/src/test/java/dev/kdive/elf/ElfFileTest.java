package dev.kdive.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kdive.dump.DumpFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ElfFile on a real executable gcc built here, against readelf; and on bytes that are not one. */
class ElfFileTest {
    @Test
    void readsSectionsBuildIdAndSymbolsAsReadelfDoes() throws Exception {
        Path exe = CompiledProgram.path();
        try (ElfFile elf = ElfFile.open(exe)) {
            assertThat(elf.section(".text")).isPresent();
            assertThat(elf.section(".debug_info")).isPresent();
            String readelf = CompiledProgram.run("readelf", "-n", exe.toString());
            String id = readelf.lines().filter(l -> l.contains("Build ID:")).findFirst().orElseThrow().replaceFirst(".*Build ID: ", "").strip();
            assertThat(elf.buildId()).contains(id);
            assertThat(elf.symbols()).anySatisfy(s -> {
                assertThat(s.name()).isEqualTo("total");
                assertThat(s.value()).isEqualTo(CompiledProgram.nm("total"));
            });
        }
    }

    @Test
    void aFileThatIsNotElfIsRefusedNamingTheFile(@TempDir Path tmp) throws Exception {
        Path notElf = tmp.resolve("notes.txt");
        Files.writeString(notElf, "not an ELF file, just text long enough to have a header's worth of bytes.......");
        assertThatThrownBy(() -> ElfFile.open(notElf)).isInstanceOf(DumpFormatException.class).hasMessageContaining(notElf.toString());
    }
}
