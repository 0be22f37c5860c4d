package dev.kdive.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.dwarf.Dwarf;
import dev.kdive.dwarf.DwarfTypes;
import dev.kdive.elf.CompiledProgram;
import dev.kdive.elf.ElfFile;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Types as kdive reads them from real DWARF: layouts against pahole's view of the same struct, and C declarations. */
class DwarfTypesTest {
    @Test
    void structPointHasGccsLayoutAndBitfields() throws Exception {
        try (ElfFile elf = ElfFile.open(CompiledProgram.path())) {
            TypeTable types = new DwarfTypes(Dwarf.of(elf).orElseThrow(), Optional.empty());
            Type.Struct p = (Type.Struct) types.lookup("struct point").orElseThrow();
            assertThat(p.size()).isEqualTo(48);
            assertThat(p.member("x").orElseThrow().offset()).isZero();
            assertThat(p.member("y").orElseThrow().offset()).isEqualTo(8);
            Type.Member flags = p.member("flags").orElseThrow();
            Type.Member kind = p.member("kind").orElseThrow();
            assertThat(flags.bitSize()).isEqualTo(3);
            assertThat(kind.bitSize()).isEqualTo(5);
            assertThat(kind.bitOffset()).isEqualTo(flags.bitOffset() + 3);
            assertThat(p.member("next").orElseThrow().offset()).isEqualTo(24);
            assertThat(Declarations.declaration(p.member("next").orElseThrow().type().get(), "next")).isEqualTo("struct point *next");
            assertThat(Declarations.declaration(p.member("name").orElseThrow().type().get(), "name")).isEqualTo("char name[16]");
        }
    }
}
