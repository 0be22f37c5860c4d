package dev.kdive.dwarf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A read position in one DWARF section; every read checks bounds and a failure names the
 * section and offset (DWARF 5 spec, 7.6 for LEB128, 7.4 for 32/64-bit offsets).
 */
final class Cursor {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    final String section;
    final MemorySegment data;
    long pos;

    Cursor(String section, MemorySegment data, long pos) {
        this.section = section;
        this.data = data;
        this.pos = pos;
    }

    private void need(long n) {
        if (pos < 0 || pos + n > data.byteSize()) {
            throw new DwarfException(section, pos, "reading " + n + " bytes past the section's end (0x"
                    + Long.toHexString(data.byteSize()) + ")");
        }
    }

    int u8() {
        need(1);
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, pos++));
    }

    int u16() {
        need(2);
        int v = Short.toUnsignedInt(data.get(U16, pos));
        pos += 2;
        return v;
    }

    long u24() {
        return u16() | (long) u8() << 16;
    }

    long u32() {
        need(4);
        long v = Integer.toUnsignedLong(data.get(U32, pos));
        pos += 4;
        return v;
    }

    long u64() {
        need(8);
        long v = data.get(U64, pos);
        pos += 8;
        return v;
    }

    long uleb() {
        long result = 0;
        int shift = 0;
        while (true) {
            int b = u8();
            if (shift < 64) {
                result |= (long) (b & 0x7f) << shift;
            }
            shift += 7;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
    }

    long sleb() {
        long result = 0;
        int shift = 0;
        int b;
        do {
            b = u8();
            if (shift < 64) {
                result |= (long) (b & 0x7f) << shift;
            }
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    /** A unit's initial length field (DWARF 5, 7.4): 0xffffffff then 8 bytes means 64-bit DWARF. */
    record Length(long length, int offsetSize) {}

    Length initialLength() {
        long len = u32();
        return len == 0xffffffffL ? new Length(u64(), 8) : new Length(len, 4);
    }

    /** A section offset: 4 bytes in 32-bit DWARF, 8 in 64-bit. */
    long offset(int size) {
        return size == 8 ? u64() : u32();
    }

    long sized(int size) {
        return switch (size) {
            case 1 -> u8();
            case 2 -> u16();
            case 4 -> u32();
            case 8 -> u64();
            default -> throw new DwarfException(section, pos, "an address or value size of 1, 2, 4 or 8, found " + size);
        };
    }

    String cstring() {
        long start = pos;
        long end = start;
        long size = data.byteSize();
        while (end < size && data.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        if (end >= size) {
            throw new DwarfException(section, start, "a NUL-terminated string before the section's end");
        }
        pos = end + 1;
        return new String(data.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    void skip(long n) {
        need(n);
        pos += n;
    }

    static String cstringAt(String section, MemorySegment data, long offset) {
        return new Cursor(section, data, offset).cstring();
    }
}
