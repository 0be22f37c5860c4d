package dev.kdive.dump;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One ELF note (Elf64_Nhdr, name, descriptor; System V gABI "Note Section"). Kernel and QEMU cores
 * carry NT_PRSTATUS ("CORE", 1) per CPU, QEMU's CPU state ("QEMU", 0) and VMCOREINFO; a diskdump
 * keeps the same note list in the block {@code kdump_sub_header.offset_note} names.
 *
 * @param fileOffset where the descriptor starts in the dump file
 */
public record Note(String name, int type, long fileOffset, MemorySegment desc) {
    public static final int NT_PRSTATUS = 1;

    /** {@return the notes packed in {@code size} bytes at {@code offset}; zero padding ends the list} */
    static List<Note> parseAll(DumpFile.Input in, long offset, long size) throws DumpFormatException {
        in.require(offset, size, "a note segment");
        List<Note> notes = new ArrayList<>();
        long p = offset;
        long end = offset + size;
        while (p + 12 <= end) {
            long namesz = in.u32le(p);
            long descsz = in.u32le(p + 4);
            int ntype = (int) in.u32le(p + 8);
            if (namesz == 0 && descsz == 0 && ntype == 0) {
                break;
            }
            long name = p + 12;
            long desc = name + align4(namesz);
            if (namesz > end - name || descsz > end - desc) {
                throw new DumpFormatException(in.path(), p, "expected a note of " + namesz + " name and " + descsz
                        + " descriptor bytes inside its note segment ending at 0x" + Long.toHexString(end));
            }
            notes.add(new Note(in.cstring(name, (int) namesz), ntype, desc, in.slice(desc, descsz)));
            p = desc + align4(descsz);
        }
        return List.copyOf(notes);
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }

    /** {@return the descriptor as ISO-8859-1 text up to its first NUL} */
    public String text() {
        byte[] b = desc.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
