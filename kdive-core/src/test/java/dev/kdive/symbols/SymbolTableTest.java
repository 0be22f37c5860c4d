package dev.kdive.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.elf.CompiledProgram;
import dev.kdive.elf.ElfFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Address ↔ name over a real .symtab, and the rules for sizes and aliases on synthetic tables. */
class SymbolTableTest {
    @Test
    void namesEveryAddressInsideAFunctionByThatFunction() throws Exception {
        try (ElfFile elf = ElfFile.open(CompiledProgram.path())) {
            SymbolTable t = SymbolTable.of(elf, a -> a);
            long total = CompiledProgram.nm("total");
            assertThat(t.lookup("total")).get().extracting(Symbol::address).isEqualTo(total);
            assertThat(t.containing(total + 1)).get().extracting(Symbol::name).isEqualTo("total");
            assertThat(t.containing(CompiledProgram.nm("main"))).get().extracting(Symbol::name).isEqualTo("main");
        }
    }

    @Test
    void relocatesEveryAddressAsKaslrMovesTheImage() throws Exception {
        long shift = 0x1000_0000L;
        try (ElfFile elf = ElfFile.open(CompiledProgram.path())) {
            SymbolTable t = SymbolTable.of(elf, a -> a + shift);
            assertThat(t.lookup("main")).get().extracting(Symbol::address).isEqualTo(CompiledProgram.nm("main") + shift);
        }
    }

    @Test
    void anAddressPastASizedSymbolsEndIsNotInIt() {
        SymbolTable t = new SymbolTable(List.of(new Symbol("a", 0x1000, 0x10, 't'), new Symbol("b", 0x2000, 0, 't')), "test");
        assertThat(t.containing(0x100f)).get().extracting(Symbol::name).isEqualTo("a");
        assertThat(t.containing(0x0fff)).isEmpty();
        assertThat(t.containing(0x2345)).get().extracting(Symbol::name).isEqualTo("b"); // no size: up to the next symbol
    }
}
