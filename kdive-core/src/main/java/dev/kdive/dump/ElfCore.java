package dev.kdive.dump;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An ELF64 core file: kexec's /proc/vmcore copy or QEMU's dump-guest-memory output.
 * Layouts from the System V gABI (ELF header, program headers, note entries).
 * The program headers are read where {@code e_phoff} says: QEMU 7.2 puts them at 192, after two
 * section headers, and sets {@code e_ehsize} to 8, so neither may be assumed.
 */
public record ElfCore(DumpFile.Bytes bytes, Arena arena, long programHeaderOffset, List<ProgramHeader> programHeaders)
        implements DumpFile {
    static final long MAGIC = 0x464c457fL; // "\x7fELF" little-endian
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    private static final int EHDR_SIZE = 64;
    private static final int PHDR_SIZE = 56;
    private static final int PN_XNUM = 0xffff;

    /** One program header (Elf64_Phdr). */
    public record ProgramHeader(int type, long offset, long vaddr, long paddr, long fileSize, long memSize) {}

    static ElfCore parse(DumpFile.Bytes b, Arena arena) throws DumpFormatException {
        b.require(0, EHDR_SIZE, "an ELF64 header");
        if (b.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4) != 2) {
            throw new DumpFormatException(b.path(), 4, "expected ELFCLASS64 (2): kdive reads 64-bit cores");
        }
        if (b.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 5) != 1) {
            throw new DumpFormatException(b.path(), 5, "expected ELFDATA2LSB (1): a little-endian x86-64 core");
        }
        int type = b.u16le(16);
        if (type != 4) {
            throw new DumpFormatException(b.path(), 16, "expected e_type ET_CORE (4), found " + type);
        }
        long phoff = b.u64le(32);
        int phentsize = b.u16le(54);
        long phnum = b.u16le(56);
        if (phentsize != PHDR_SIZE) {
            throw new DumpFormatException(b.path(), 54, "expected e_phentsize 56, found " + phentsize);
        }
        if (phnum == PN_XNUM) {
            // More than 65534 headers: the real count is in section header 0's sh_info (gABI).
            long shoff = b.u64le(40);
            b.require(shoff, 64, "section header 0 holding the program header count (PN_XNUM)");
            phnum = b.u32le(shoff + 44);
        }
        b.require(phoff, phnum * PHDR_SIZE, phnum + " program headers at e_phoff");
        List<ProgramHeader> phdrs = new ArrayList<>((int) phnum);
        for (long i = 0; i < phnum; i++) {
            long p = phoff + i * PHDR_SIZE;
            phdrs.add(new ProgramHeader((int) b.u32le(p), b.u64le(p + 8), b.u64le(p + 16), b.u64le(p + 24),
                    b.u64le(p + 32), b.u64le(p + 40)));
        }
        return new ElfCore(b, arena, phoff, List.copyOf(phdrs));
    }

    @Override
    public java.nio.file.Path path() {
        return bytes.path();
    }

    @Override
    public String formatName() {
        return "ELF";
    }

    @Override
    public List<Note> notes() throws DumpFormatException {
        List<Note> notes = new ArrayList<>();
        for (ProgramHeader ph : programHeaders) {
            if (ph.type() == PT_NOTE) {
                notes.addAll(Note.parseAll(bytes, ph.offset(), ph.fileSize()));
            }
        }
        return notes;
    }

    @Override
    public Optional<String> vmcoreinfo() throws DumpFormatException {
        return notes().stream().filter(n -> n.name().equals("VMCOREINFO")).map(Note::text).findFirst();
    }

    @Override
    public PhysicalMemory memory() {
        return ElfMemory.of(this);
    }

    @Override
    public void close() {
        arena.close();
    }
}
