package dev.kdive.elf;

import dev.kdive.dump.DumpFormatException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An ELF64 little-endian object (vmlinux, a module .ko), mapped read-only: its section headers and
 * symbol table (System V gABI, "Sections" and "Symbol Table"). Sections are views of the mapping.
 */
public final class ElfFile implements AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_NOTE = 7;
    public static final int SHT_NOBITS = 8;
    public static final long SHF_WRITE = 1;
    public static final long SHF_ALLOC = 2;
    public static final long SHF_EXECINSTR = 4;
    private static final int SHN_ABS = 0xfff1;
    private static final int SHN_LORESERVE = 0xff00;

    /** One section header (Elf64_Shdr). */
    public record Section(int index, String name, int type, long flags, long address, long offset, long size,
                          int link, int info, long align, long entrySize) {}

    /** One Elf64_Sym with its section index ({@code shndx}), and its type letter as nm prints it. */
    public record ElfSymbol(String name, long value, long size, int info, int shndx, char nmType) {
        public int bind() {
            return info >>> 4;
        }

        public int type() {
            return info & 0xf;
        }
    }

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final List<Section> sections;

    private final int elfType;
    private long[] placed; // ET_REL: the address each allocated section is given

    private ElfFile(Path path, Arena arena, MemorySegment file, List<Section> sections, int elfType) {
        this.elfType = elfType;
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.sections = sections;
    }

    public static ElfFile open(Path path) throws IOException, DumpFormatException {
        if (java.nio.file.Files.isDirectory(path)) {
            throw new DumpFormatException(path, 0, "expected a file, found a directory");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment f = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            if (f.byteSize() < 64 || f.get(U32, 0) != 0x464c457f) {
                throw new DumpFormatException(path, 0, "expected an ELF file (\\x7fELF)");
            }
            if (f.get(ValueLayout.JAVA_BYTE, 4) != 2 || f.get(ValueLayout.JAVA_BYTE, 5) != 1) {
                throw new DumpFormatException(path, 4, "expected a 64-bit little-endian ELF file");
            }
            long shoff = f.get(U64, 40);
            int shentsize = Short.toUnsignedInt(f.get(U16, 58));
            long shnum = Short.toUnsignedInt(f.get(U16, 60));
            int shstrndx = Short.toUnsignedInt(f.get(U16, 62));
            if (shoff > 0 && shnum == 0) {
                require(path, f, shoff, 64, "section header 0 (e_shnum overflow)");
                shnum = f.get(U64, shoff + 32);
            }
            if (shstrndx == 0xffff) {
                shstrndx = f.get(U32, shoff + 40);
            }
            if (shentsize != 64 && shnum > 0) {
                throw new DumpFormatException(path, 58, "expected e_shentsize 64, found " + shentsize);
            }
            require(path, f, shoff, shnum * 64, shnum + " section headers at e_shoff");
            long[][] raw = new long[(int) shnum][];
            for (int i = 0; i < shnum; i++) {
                long p = shoff + i * 64L;
                raw[i] = new long[] {Integer.toUnsignedLong(f.get(U32, p)), Integer.toUnsignedLong(f.get(U32, p + 4)),
                    f.get(U64, p + 8), f.get(U64, p + 16), f.get(U64, p + 24), f.get(U64, p + 32),
                    Integer.toUnsignedLong(f.get(U32, p + 40)), f.get(U64, p + 56),
                    Integer.toUnsignedLong(f.get(U32, p + 44)), f.get(U64, p + 48)};
            }
            List<Section> secs = new ArrayList<>();
            long[] strtab = shstrndx < shnum ? raw[shstrndx] : null;
            for (int i = 0; i < shnum; i++) {
                long[] r = raw[i];
                String name = strtab == null ? "" : cstring(f, strtab[4] + r[0], strtab[4] + strtab[5]);
                secs.add(new Section(i, name, (int) r[1], r[2], r[3], r[4], r[5], (int) r[6], (int) r[8], r[9], r[7]));
            }
            return new ElfFile(path, arena, f, List.copyOf(secs), Short.toUnsignedInt(f.get(U16, 16)));
        } catch (IOException | DumpFormatException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static void require(Path path, MemorySegment f, long off, long len, String what) throws DumpFormatException {
        if (off < 0 || len < 0 || off > f.byteSize() - len) {
            throw new DumpFormatException(path, off, "expected " + what + " (" + len + " bytes), but the file ends at 0x"
                    + Long.toHexString(f.byteSize()));
        }
    }

    private static String cstring(MemorySegment f, long off, long limit) {
        long end = off;
        while (end < limit && end < f.byteSize() && f.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        return new String(f.asSlice(off, end - off).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    public Path path() {
        return path;
    }

    public List<Section> sections() {
        return sections;
    }

    public Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** {@return the bytes of a section (empty for SHT_NOBITS)} */
    public MemorySegment contents(Section s) throws DumpFormatException {
        if (s.type() == SHT_NOBITS) {
            return MemorySegment.ofArray(new byte[0]);
        }
        require(path, file, s.offset(), s.size(), "the contents of section " + s.name());
        return file.asSlice(s.offset(), s.size());
    }

    /**
     * {@return the GNU build-id (an NT_GNU_BUILD_ID note named "GNU") as lower-case hex, if the file
     * has one: .note.gnu.build-id in most files, the kernel's .notes section in vmlinux}
     */
    public Optional<String> buildId() throws DumpFormatException {
        for (Section note : sections) {
            if (note.type() != SHT_NOTE) {
                continue;
            }
            MemorySegment n = contents(note);
            long p = 0;
            while (p + 12 <= n.byteSize()) {
                long namesz = Integer.toUnsignedLong(n.get(U32, p));
                long descsz = Integer.toUnsignedLong(n.get(U32, p + 4));
                int type = n.get(U32, p + 8);
                long desc = p + 12 + ((namesz + 3) & ~3L);
                if (desc + descsz > n.byteSize()) {
                    throw new DumpFormatException(path, note.offset() + p, "a note inside section " + note.name());
                }
                if (type == 3 && namesz == 4 && n.get(U32, p + 12) == 0x00554e47) { // NT_GNU_BUILD_ID, "GNU\0"
                    return Optional.of(java.util.HexFormat.of().formatHex(n.asSlice(desc, descsz).toArray(ValueLayout.JAVA_BYTE)));
                }
                p = desc + ((descsz + 3) & ~3L);
            }
        }
        return Optional.empty();
    }

    /** {@return whether this is a relocatable object (ET_REL, a kernel module .ko)} */
    public boolean relocatable() {
        return elfType == 1;
    }

    /**
     * {@return the address of a section: its sh_addr, or in a relocatable object the address kdive
     * gives it, allocated sections laid end to end from 0 in file order, each aligned (as binutils
     * places them, so that .text, .init.text and .exit.text do not overlap)}
     */
    public synchronized long sectionAddress(int index) {
        if (!relocatable()) {
            return index < sections.size() ? sections.get(index).address() : 0;
        }
        if (placed == null) {
            placed = new long[sections.size()];
            long next = 0;
            for (Section s : sections) {
                if ((s.flags() & SHF_ALLOC) != 0) {
                    long a = Math.max(1, s.align());
                    next = (next + a - 1) / a * a;
                    placed[s.index()] = next;
                    next += s.size();
                }
            }
        }
        return index < placed.length ? placed[index] : 0;
    }

    /**
     * {@return a section's bytes with its RELA relocations applied (R_X86_64_64, _32, _32S against
     * symbols at their placed addresses); the mapped bytes when the file is not relocatable}
     */
    public MemorySegment relocatedContents(Section s) throws DumpFormatException {
        MemorySegment raw = contents(s);
        if (!relocatable()) {
            return raw;
        }
        Optional<Section> rela = sections.stream().filter(r -> r.type() == 4 && r.info() == s.index()).findFirst();
        if (rela.isEmpty()) {
            return raw;
        }
        byte[] out = raw.toArray(ValueLayout.JAVA_BYTE);
        MemorySegment copy = MemorySegment.ofArray(out);
        MemorySegment rel = contents(rela.get());
        MemorySegment symtab = contents(sections.get(rela.get().link()));
        for (long p = 0; p + 24 <= rel.byteSize(); p += 24) {
            long offset = rel.get(U64, p);
            long info = rel.get(U64, p + 8);
            long addend = rel.get(U64, p + 16);
            int type = (int) info;
            long symIndex = info >>> 32;
            if (symIndex * 24 + 24 > symtab.byteSize()) {
                throw new DumpFormatException(path, rela.get().offset() + p, "a relocation's symbol inside the symbol table");
            }
            int shndx = Short.toUnsignedInt(symtab.get(U16, symIndex * 24 + 6));
            long value = symtab.get(U64, symIndex * 24 + 8) + (shndx < SHN_LORESERVE ? sectionAddress(shndx) : 0) + addend;
            switch (type) {
                case 1 -> { // R_X86_64_64
                    if (offset + 8 <= out.length) {
                        copy.set(U64, offset, value);
                    }
                }
                case 10, 11 -> { // R_X86_64_32, R_X86_64_32S
                    if (offset + 4 <= out.length) {
                        copy.set(U32, offset, (int) value);
                    }
                }
                case 0 -> { }
                default -> throw new DumpFormatException(path, rela.get().offset() + p,
                        "a relocation of type 1, 10 or 11 in " + rela.get().name() + ", found " + type);
            }
        }
        return copy;
    }

    /** {@return the .symtab entries with a name, in table order; empty when the file is stripped} */
    public List<ElfSymbol> symbols() throws DumpFormatException {
        Optional<Section> symtab = sections.stream().filter(s -> s.type() == SHT_SYMTAB).findFirst();
        if (symtab.isEmpty()) {
            return List.of();
        }
        Section st = symtab.get();
        MemorySegment syms = contents(st);
        Section strs = sections.get(st.link());
        MemorySegment str = contents(strs);
        long n = st.size() / 24;
        List<ElfSymbol> out = new ArrayList<>((int) n);
        for (long i = 1; i < n; i++) {
            long p = i * 24;
            long nameOff = Integer.toUnsignedLong(syms.get(U32, p));
            int info = Byte.toUnsignedInt(syms.get(ValueLayout.JAVA_BYTE, p + 4));
            int shndx = Short.toUnsignedInt(syms.get(U16, p + 6));
            long value = syms.get(U64, p + 8);
            long size = syms.get(U64, p + 16);
            String name = cstring(str, nameOff, str.byteSize());
            if (name.isEmpty()) {
                continue;
            }
            long placedValue = relocatable() && shndx != 0 && shndx < SHN_LORESERVE ? value + sectionAddress(shndx) : value;
            out.add(new ElfSymbol(name, placedValue, size, info, shndx, nmType(info, shndx)));
        }
        return out;
    }

    /** nm's letter: by section flags, upper case when global (binutils nm.c / bfd decode_section_type). */
    private char nmType(int info, int shndx) {
        int bind = info >>> 4;
        int type = info & 0xf;
        char c;
        if (shndx == 0) {
            c = 'U';
        } else if (shndx == SHN_ABS) {
            c = 'A';
        } else if (shndx >= SHN_LORESERVE || shndx >= sections.size()) {
            c = '?';
        } else {
            Section s = sections.get(shndx);
            if ((s.flags() & SHF_EXECINSTR) != 0) {
                c = 'T';
            } else if (s.type() == SHT_NOBITS) {
                c = 'B';
            } else if ((s.flags() & SHF_WRITE) != 0) {
                c = 'D';
            } else if ((s.flags() & SHF_ALLOC) != 0) {
                c = 'R';
            } else {
                c = 'N';
            }
        }
        if (bind == 2) { // STB_WEAK
            return type == 1 ? 'V' : 'W';
        }
        return bind == 0 ? Character.toLowerCase(c) : c;
    }

    @Override
    public void close() {
        arena.close();
    }
}
