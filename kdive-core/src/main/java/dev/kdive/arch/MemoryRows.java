package dev.kdive.arch;

import dev.kdive.dump.MemoryFault;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory as crash's {@code rd} reads it: rows of bytes from an address, or a NUL-terminated
 * string, up to the first address the dump cannot give; that read is kept, with its reason.
 *
 * @param rows  the bytes read, one row per line of output
 * @param fault the read that ended the rows early ("kernel virtual address ...: page excluded ..."); null when all were read
 */
public record MemoryRows(List<Row> rows, String fault) {
    /** One row: where it starts and its bytes. */
    public record Row(long address, byte[] bytes) {}

    public MemoryRows {
        rows = List.copyOf(rows);
    }

    /** {@return {@code length} bytes from {@code start}, {@code perRow} bytes a row} */
    public static MemoryRows read(AddressSpace space, long start, long length, int perRow) {
        List<Row> rows = new ArrayList<>();
        for (long off = 0; off < length; off += perRow) {
            int n = (int) Math.min(perRow, length - off);
            try {
                rows.add(new Row(start + off, space.read(start + off, n)));
            } catch (MemoryFault f) {
                return new MemoryRows(rows, f.getMessage());
            }
        }
        return new MemoryRows(rows, null);
    }

    /** {@return the NUL-terminated string at {@code start}, at most {@code max} bytes, {@code perRow} characters a row} */
    public static MemoryRows string(AddressSpace space, long start, long max, int perRow) {
        StringBuilder text = new StringBuilder();
        String fault = null;
        try {
            for (long a = start; text.length() < max; a++) {
                int c = space.u8(a);
                if (c == 0) {
                    break;
                }
                text.append((char) c);
            }
        } catch (MemoryFault f) {
            fault = f.getMessage();
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < text.length(); i += perRow) {
            rows.add(new Row(start + i, text.substring(i, Math.min(text.length(), i + perRow)).getBytes(StandardCharsets.ISO_8859_1)));
        }
        return new MemoryRows(rows, fault);
    }
}
