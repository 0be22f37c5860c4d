package dev.kdive.lab;

import dev.kdive.dump.DumpFile;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.dump.ElfCore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * QEMU 7.2 writes its ELF core's program headers at offset 192, after two section headers;
 * makedumpfile 1.7.2 reads them at 64 (LAB-NOTES trap 1). This writes a copy whose ELF header
 * points at program headers moved to 64, every segment left at its own file offset.
 */
final class QemuElfHeader {
    private static final int EHDR = 64;
    private static final int PHDR = 56;

    private QemuElfHeader() {
    }

    static void writeWithPhdrsAt64(Path in, Path out) throws IOException, DumpFormatException {
        long phnum;
        long phoff;
        try (DumpFile d = DumpFile.open(in)) {
            if (!(d instanceof ElfCore elf)) {
                throw new DumpFormatException(in, 0, "expected QEMU's ELF core");
            }
            phnum = elf.programHeaders().size();
            long first = elf.programHeaders().stream().mapToLong(ElfCore.ProgramHeader::offset).min().orElse(0);
            phoff = elf.programHeaderOffset();
            if (phnum >= 0xffff || EHDR + phnum * PHDR > first) {
                throw new DumpFormatException(in, phoff, "expected room for " + phnum
                        + " program headers between offset 64 and the first segment");
            }
        }
        try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate((int) (EHDR + phnum * PHDR)).order(ByteOrder.LITTLE_ENDIAN);
            src.read(head.limit(EHDR), 0);
            src.read(head.limit(head.capacity()).position(EHDR), phoff);
            head.putLong(32, EHDR);   // e_phoff
            head.putLong(40, 0);      // e_shoff: the section headers are dropped
            head.putShort(52, (short) EHDR); // e_ehsize
            head.putShort(58, (short) 0);    // e_shentsize
            head.putShort(60, (short) 0);    // e_shnum
            head.putShort(62, (short) 0);    // e_shstrndx
            dst.write(head.flip(), 0);
            copySparse(src, dst, head.capacity());
        }
    }

    /**
     * Copies {@code src} from {@code from} on, leaving a hole for each all-zero block: most of a
     * freshly booted guest's RAM is zero, and the lab keeps dozens of these 512 MB files.
     */
    static void copySparse(FileChannel src, FileChannel dst, long from) throws IOException {
        ByteBuffer block = ByteBuffer.allocateDirect(1 << 16);
        long size = src.size();
        for (long pos = from; pos < size; ) {
            block.clear().limit((int) Math.min(block.capacity(), size - pos));
            int n = src.read(block, pos);
            if (n <= 0) {
                throw new IOException("short read at offset " + pos + " of " + size);
            }
            block.flip();
            if (!allZero(block)) {
                dst.write(block, pos);
            }
            pos += n;
        }
        if (dst.size() < size) {
            dst.write(ByteBuffer.allocate(1), size - 1); // the file keeps its length after a final hole
        }
    }

    private static boolean allZero(ByteBuffer b) {
        int i = b.position();
        for (; i + 8 <= b.limit(); i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
