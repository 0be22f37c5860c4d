package dev.kdive.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kdive.elf.CompiledProgram;
import dev.kdive.elf.ElfFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A symbol table saved and read back in place answers every question as the table it was made from. */
class SymbolIndexTest {
    @Test
    void aRealSymtabReadBackInPlaceAnswersAsTheOriginal(@TempDir Path tmp) throws Exception {
        try (ElfFile elf = ElfFile.open(CompiledProgram.path())) {
            SymbolTable original = SymbolTable.of(elf, a -> a + 0x1000);
            Path file = tmp.resolve("program.symtab");
            SymbolIndex.keep(original, file, 0);
            dev.kdive.dump.UserCache.finishSaving();
            SymbolTable read = SymbolIndex.open(file, "saved", 0).orElseThrow();
            assertSameAnswers(original, read);
            assertThat(read.lookup("main")).get().extracting(Symbol::address).isEqualTo(CompiledProgram.nm("main") + 0x1000);
        }
    }

    @Test
    void aGlobalSymbolWinsOverLocalsOfItsNameAsInMemory(@TempDir Path tmp) {
        SymbolTable original = new SymbolTable(List.of(new Symbol("dup", 0x1000, 0x10, 't'), new Symbol("dup", 0x2000, 0x10, 'T'),
                new Symbol("dup", 0x3000, 0x10, 't'), new Symbol("other", 0x1000, 0, 'd'), new Symbol("é", 0x4000, 0, 'r')), "test");
        Path file = tmp.resolve("t.symtab");
        SymbolIndex.keep(original, file, 0);
        dev.kdive.dump.UserCache.finishSaving();
        SymbolTable read = SymbolIndex.open(file, "test", 0).orElseThrow();
        assertSameAnswers(original, read);
        assertThat(read.lookup("dup")).get().extracting(Symbol::address).isEqualTo(0x2000L);
        assertThat(read.lookupAll("dup")).extracting(Symbol::address).containsExactly(0x1000L, 0x2000L, 0x3000L);
        assertThat(read.lookup("\u0101")).as("not a Latin-1 name").isEmpty();
    }

    /** One file serves every boot of a build: image addresses move with the KASLR offset, per-cpu offsets do not. */
    @Test
    void anotherBootsKaslrOffsetMovesTheImageAlone(@TempDir Path tmp) {
        long boot1 = 0x2a00_0000L;
        long boot2 = 0x0e40_0000L;
        SymbolTable first = new SymbolTable(List.of(new Symbol("fixed_percpu_data", 0x0, 0, 'A'), new Symbol("runqueues", 0x2f8c0, 0, 'A'),
                new Symbol("_stext", 0xffffffff81000000L + boot1, 0, 'T'), new Symbol("schedule", 0xffffffff81a3c2e0L + boot1, 0x90, 'T')), "boot 1");
        Path file = tmp.resolve("k.kallsyms");
        SymbolIndex.keep(first, file, boot1);
        dev.kdive.dump.UserCache.finishSaving();
        SymbolTable second = SymbolIndex.open(file, "boot 2", boot2).orElseThrow();
        assertThat(second.lookup("schedule")).get().extracting(Symbol::address).isEqualTo(0xffffffff81a3c2e0L + boot2);
        assertThat(second.lookup("runqueues")).get().extracting(Symbol::address).isEqualTo(0x2f8c0L);
        assertThat(second.containing(0xffffffff81a3c2e0L + boot2 + 0x10)).get().extracting(Symbol::name).isEqualTo("schedule");
        assertSameAnswers(first, SymbolIndex.open(file, "boot 1", boot1).orElseThrow());
    }

    @Test
    void aDamagedOrCutFileIsNotUsed(@TempDir Path tmp) throws Exception {
        SymbolTable original = new SymbolTable(List.of(new Symbol("a", 0x1000, 0x10, 'T'), new Symbol("b", 0x2000, 0, 't')), "test");
        Path file = tmp.resolve("t.symtab");
        SymbolIndex.keep(original, file, 0);
        dev.kdive.dump.UserCache.finishSaving();
        byte[] whole = Files.readAllBytes(file);
        byte[] flipped = whole.clone();
        flipped[whole.length - 1] ^= 1; // a name byte: only the checksum tells
        Files.write(file, flipped);
        assertThat(SymbolIndex.open(file, "test", 0)).isEmpty();
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 3));
        assertThat(SymbolIndex.open(file, "test", 0)).isEmpty();
        Files.write(file, new byte[5]);
        assertThat(SymbolIndex.open(file, "test", 0)).isEmpty();
        assertThat(SymbolIndex.open(tmp.resolve("absent"), "test", 0)).isEmpty();
    }

    /** Every name, every symbol's own address and the byte after it, and the full listing. */
    static void assertSameAnswers(SymbolTable a, SymbolTable b) {
        assertThat(b.size()).isEqualTo(a.size());
        assertThat(b.all()).containsExactlyElementsOf(a.all());
        for (Symbol s : a.all()) {
            assertThat(b.lookup(s.name())).as(s.name()).isEqualTo(a.lookup(s.name()));
            assertThat(b.containing(s.address() + 1)).as("containing %x", s.address() + 1).isEqualTo(a.containing(s.address() + 1));
            assertThat(b.at(s.address())).isEqualTo(a.at(s.address()));
            assertThat(b.next(s.address())).isEqualTo(a.next(s.address()));
        }
        assertThat(b.lookup("no such symbol")).isEmpty();
    }
}
