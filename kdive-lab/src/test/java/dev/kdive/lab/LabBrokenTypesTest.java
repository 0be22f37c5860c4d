package dev.kdive.lab;

import dev.kdive.kernel.Kernel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kdive.dwarf.Dwarf;
import dev.kdive.dwarf.DwarfException;
import dev.kdive.dwarf.DwarfTypes;
import dev.kdive.elf.ElfFile;
import dev.kdive.program.Program;
import dev.kdive.types.Btf;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The kernel's real BTF and DWARF, damaged: errors name the section and offset, the rest stays usable. */
@Tag("lab")
class LabBrokenTypesTest {
    private static byte[] dumpBtf() throws Exception {
        Path dump = Lab.standard().build(Scenario.SLAB_UAF, System.out::println).resolve(Lab.Artifact.D31_ZLIB.file);
        try (Program p = Kernel.open(dump, Optional.empty())) {
            long start = p.address("__start_BTF");
            return p.kernel().read(start, (int) (p.address("__stop_BTF") - start));
        }
    }

    @Test
    void truncatedBtfIsAnErrorNamingTheOffset() throws Exception {
        byte[] btf = dumpBtf();
        for (int cut : List.of(0, 3, 23, 24, 100, 4096, btf.length / 2, btf.length - 1)) {
            byte[] part = Arrays.copyOf(btf, cut);
            assertThatThrownBy(() -> Btf.parse(part, "cut BTF")).as("cut at " + cut).isInstanceOf(TypeException.class)
                    .hasMessageStartingWith("cut BTF: ").hasMessageContaining("offset 0x");
        }
    }

    @Test
    void aBadKindIsNamedWithItsOffset() throws Exception {
        byte[] btf = dumpBtf();
        ByteBuffer b = ByteBuffer.wrap(btf).order(ByteOrder.LITTLE_ENDIAN);
        int typeStart = b.getInt(4) + b.getInt(8);
        b.putInt(typeStart + 4, 31 << 24); // the first record's info: kind 31
        assertThatThrownBy(() -> Btf.parse(btf, "damaged BTF")).isInstanceOf(TypeException.class)
                .hasMessage("damaged BTF: type section offset 0x0: expected a BTF kind between 1 and 19, found 31");
    }

    @Test
    void aTypedefLoopIsAnErrorNotAStackOverflow() throws Exception {
        byte[] btf = dumpBtf();
        Btf intact = Btf.parse(btf, "BTF");
        int id = -1;
        for (int i = 1; i < intact.count() && id < 0; i++) {
            if (intact.byId(i) instanceof Type.Typedef t && t.name().equals("pid_t")) {
                id = i;
            }
        }
        assertThat(id).isPositive();
        // Point pid_t at itself: record id's size_type field holds its target id.
        ByteBuffer b = ByteBuffer.wrap(btf).order(ByteOrder.LITTLE_ENDIAN);
        int typeStart = b.getInt(4) + b.getInt(8);
        int p = typeStart;
        for (int i = 1; i < id; i++) { // walk to the record, as the parser does
            p += recordLength(b, p);
        }
        b.putInt(p + 8, id);
        Btf looped = Btf.parse(btf, "looped BTF");
        Type pid = looped.lookup("pid_t").orElseThrow();
        assertThatThrownBy(pid::size).isInstanceOf(TypeException.class).hasMessageContaining("chain longer than 64");
        // Everything else still reads: task_struct without its pid members' sizes.
        assertThat(looped.lookup("struct kmem_cache").orElseThrow().size()).isEqualTo(intact.lookup("struct kmem_cache").orElseThrow().size());
    }

    private static int recordLength(ByteBuffer b, int p) {
        int info = b.getInt(p + 4);
        int vlen = info & 0xffff;
        int kind = (info >>> 24) & 0x1f;
        return 12 + switch (kind) {
            case 1, 14, 17 -> 4;
            case 3 -> 12;
            case 4, 5, 15, 19 -> 12 * vlen;
            case 6, 13 -> 8 * vlen;
            default -> 0;
        };
    }

    @Test
    void aBadAbbreviationCodeSpoilsOneUnitOnly() throws Exception {
        Path vmlinux = Lab.standard().debuginfo(System.out::println);
        try (ElfFile elf = ElfFile.open(vmlinux)) {
            Dwarf dwarf = Dwarf.of(elf).orElseThrow();
            DwarfTypes types = new DwarfTypes(dwarf, Optional.empty());
            // A DIE read from the middle of another reads garbage (a wrong abbreviation code, a string
            // offset past .debug_str): a clear error naming a section and offset.
            // Which offsets read as garbage depends on the build: every offset inside the first DIEs
            // either reads as some DIE or fails with that error, never another exception.
            long unit = dwarf.unitContaining(0x1000).root().offset();
            int refused = 0;
            for (long off = unit + 1; off < unit + 256; off++) {
                long at = off;
                try {
                    dwarf.unitContaining(unit).die(at);
                } catch (DwarfException e) {
                    assertThat(e).hasMessageMatching("\\.debug_\\w+ offset 0x[0-9a-f]+: expected .+");
                    refused++;
                }
            }
            assertThat(refused).as("offsets inside DIEs that read as garbage").isPositive();
            assertThat(types.lookup("struct task_struct")).isPresent();
        }
    }
}
