package dev.kdive.arch;

import dev.kdive.dump.MemoryFault;
import dev.kdive.dump.PhysicalMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A virtual address space over a dump's physical memory: the kernel's, or one process's. Reads
 * go page by page; the first address that does not translate, or whose page the dump lacks, ends
 * the read with a {@link MemoryFault} naming that virtual address.
 */
public interface AddressSpace {
    int PAGE_SIZE = PhysicalMemory.PAGE_SIZE;

    /** {@return where {@code vaddr} lives in physical memory, with the page-table walk that says so} */
    Translation translate(long vaddr);

    /** {@return the physical memory this space maps into} */
    PhysicalMemory physical();

    /** {@return whether faults here are kernel or user addresses} */
    MemoryFault.Space space();

    /** Copies {@code length} bytes at {@code vaddr} into {@code dst}. */
    default void read(long vaddr, byte[] dst, int offset, int length) throws MemoryFault {
        while (length > 0) {
            int n = (int) Math.min(length, PAGE_SIZE - (vaddr & (PAGE_SIZE - 1)));
            switch (translate(vaddr)) {
                case Translation.Mapped m -> {
                    try {
                        physical().read(m.physical(), dst, offset, n);
                    } catch (MemoryFault f) {
                        throw new MemoryFault(space(), vaddr, f.reason() + " (physical " + Long.toHexString(f.address()) + ")");
                    }
                }
                case Translation.Unmapped u -> throw new MemoryFault(space(), vaddr, u.reason());
            }
            vaddr += n;
            offset += n;
            length -= n;
        }
    }

    default byte[] read(long vaddr, int length) throws MemoryFault {
        byte[] b = new byte[length];
        read(vaddr, b, 0, length);
        return b;
    }

    default long u64(long vaddr) throws MemoryFault {
        return ByteBuffer.wrap(read(vaddr, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    default long u32(long vaddr) throws MemoryFault {
        return Integer.toUnsignedLong(ByteBuffer.wrap(read(vaddr, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt());
    }

    default int u16(long vaddr) throws MemoryFault {
        return Short.toUnsignedInt(ByteBuffer.wrap(read(vaddr, 2)).order(ByteOrder.LITTLE_ENDIAN).getShort());
    }

    default int u8(long vaddr) throws MemoryFault {
        return Byte.toUnsignedInt(read(vaddr, 1)[0]);
    }

    /** {@return the NUL-terminated string at {@code vaddr}, at most {@code max} bytes} */
    default String cstring(long vaddr, int max) throws MemoryFault {
        StringBuilder s = new StringBuilder();
        while (s.length() < max) {
            int n = (int) Math.min(max - s.length(), PAGE_SIZE - (vaddr & (PAGE_SIZE - 1)));
            byte[] b = read(vaddr, n);
            for (byte x : b) {
                if (x == 0) {
                    return s.toString();
                }
                s.append((char) (x & 0xff));
            }
            vaddr += n;
        }
        return s.toString();
    }

    /** {@return the same bytes decoded as ISO-8859-1 text} */
    static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
