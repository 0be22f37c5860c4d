package dev.kdive.symbols;

import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.MemoryFault;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel's own symbol table, decoded from the dump (kernel/kallsyms.c, scripts/kallsyms.c).
 * VMCOREINFO names the tables (since 6.0): {@code kallsyms_num_syms}; {@code kallsyms_names}, one
 * entry per symbol of a length (one byte, or two when the first has bit 7 set: "big" symbols) and
 * that many token numbers; {@code kallsyms_token_index}, 256 u16 offsets into
 * {@code kallsyms_token_table}'s NUL-terminated tokens; the first decoded character is nm's type
 * letter. Addresses are {@code kallsyms_offsets} (s32) against {@code kallsyms_relative_base};
 * with CONFIG_KALLSYMS_ABSOLUTE_PERCPU a non-negative offset is an absolute (per-cpu) value and a
 * negative one means {@code relative_base - 1 - offset}.
 */
public final class Kallsyms {
    private Kallsyms() {
    }

    /** Thrown when VMCOREINFO does not locate the tables, or they are not readable. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /** {@return the symbol table decoded from the dump's memory; sizes run to the next higher address} */
    public static SymbolTable read(AddressSpace kernel, Map<String, String> vmcoreinfo) throws Unavailable {
        long numSyms = symbol(vmcoreinfo, "kallsyms_num_syms");
        long names = symbol(vmcoreinfo, "kallsyms_names");
        long tokenTable = symbol(vmcoreinfo, "kallsyms_token_table");
        long tokenIndex = symbol(vmcoreinfo, "kallsyms_token_index");
        long offsets = symbol(vmcoreinfo, "kallsyms_offsets");
        long relativeBase = symbol(vmcoreinfo, "kallsyms_relative_base");
        try {
            int count = (int) kernel.u32(numSyms);
            if (count <= 0 || count > 10_000_000) {
                throw new Unavailable("kallsyms_num_syms at " + Long.toHexString(numSyms) + " reads " + count
                        + ", not a symbol count");
            }
            long base = kernel.u64(relativeBase);
            ByteBuffer idx = ByteBuffer.wrap(kernel.read(tokenIndex, 256 * 2)).order(ByteOrder.LITTLE_ENDIAN);
            int tableLength = 0;
            for (int i = 0; i < 256; i++) {
                tableLength = Math.max(tableLength, Short.toUnsignedInt(idx.getShort(i * 2)));
            }
            byte[] table = kernel.read(tokenTable, tableLength + 256); // the last token is short
            byte[][] tokens = new byte[256][];
            for (int i = 0; i < 256; i++) {
                int start = Short.toUnsignedInt(idx.getShort(i * 2));
                int end = start;
                while (end < table.length && table[end] != 0) {
                    end++;
                }
                tokens[i] = java.util.Arrays.copyOfRange(table, start, end);
            }
            ByteBuffer offs = ByteBuffer.wrap(kernel.read(offsets, count * 4)).order(ByteOrder.LITTLE_ENDIAN);
            boolean absolutePercpu = false;
            for (int i = 0; i < count && !absolutePercpu; i++) {
                absolutePercpu = offs.getInt(i * 4) < 0;
            }
            // scripts/kallsyms emits kallsyms_names, then kallsyms_markers, then the token table: the
            // names fit below the token table, read in one go. Another order falls back to page reads.
            long span = tokenTable - names;
            NameReader in = span > 0 && span < (64 << 20)
                    ? new NameReader(kernel.read(names, (int) span), names) : new NameReader(kernel, names);
            long[] address = new long[count];
            String[] name = new String[count];
            char[] type = new char[count];
            byte[] buf = new byte[1024];
            for (int i = 0; i < count; i++) {
                int len = in.next();
                if ((len & 0x80) != 0) {
                    len = (len & 0x7f) | (in.next() << 7);
                }
                int n = 0;
                for (int t = 0; t < len; t++) {
                    byte[] tok = tokens[in.next()];
                    if (n + tok.length > buf.length) {
                        buf = java.util.Arrays.copyOf(buf, (n + tok.length) * 2);
                    }
                    System.arraycopy(tok, 0, buf, n, tok.length);
                    n += tok.length;
                }
                if (n == 0) {
                    throw new Unavailable("kallsyms_names entry " + i + " at " + Long.toHexString(in.position())
                            + " decodes to an empty name");
                }
                type[i] = (char) (buf[0] & 0xff);
                name[i] = new String(buf, 1, n - 1, java.nio.charset.StandardCharsets.ISO_8859_1);
                int off = offs.getInt(i * 4);
                address[i] = !absolutePercpu ? base + Integer.toUnsignedLong(off)
                        : off >= 0 ? off : base - 1 - off;
            }
            List<Symbol> symbols = new ArrayList<>(count);
            long[] sorted = address.clone();
            java.util.Arrays.sort(sorted);
            for (int i = 0; i < count; i++) {
                int j = java.util.Arrays.binarySearch(sorted, address[i]);
                while (j < count && sorted[j] == address[i]) {
                    j++;
                }
                long size = j < count && sameArea(address[i], sorted[j]) ? sorted[j] - address[i] : 0;
                symbols.add(new Symbol(name[i], address[i], size, type[i]));
            }
            return new SymbolTable(symbols, "kallsyms in the dump");
        } catch (MemoryFault f) {
            throw new Unavailable("kallsyms tables unreadable: " + f.getMessage());
        }
    }

    /** Per-cpu offsets and kernel addresses sort apart (signed order); a size never spans the two. */
    private static boolean sameArea(long a, long b) {
        return (a < 0) == (b < 0);
    }

    private static long symbol(Map<String, String> vmcoreinfo, String name) throws Unavailable {
        String v = vmcoreinfo.get("SYMBOL(" + name + ")");
        if (v == null) {
            throw new Unavailable("VMCOREINFO has no SYMBOL(" + name + ") (kernels before 6.0 do not export kallsyms there)");
        }
        try {
            return Long.parseUnsignedLong(v, 16);
        } catch (NumberFormatException e) {
            throw new Unavailable("VMCOREINFO SYMBOL(" + name + ")=" + v + " is not a hex address");
        }
    }

    /** Sequential byte reads over kernel memory, a page at a time. */
    private static final class NameReader {
        private final AddressSpace kernel;
        private long position;
        private byte[] chunk = new byte[0];
        private long chunkStart;

        NameReader(AddressSpace kernel, long start) {
            this.kernel = kernel;
            this.position = start;
            this.chunkStart = start;
        }

        /** Over bytes already read from {@code start}; reading past them is a fault at that address. */
        NameReader(byte[] bytes, long start) {
            this.kernel = null;
            this.chunk = bytes;
            this.position = start;
            this.chunkStart = start;
        }

        long position() {
            return position;
        }

        int next() throws MemoryFault {
            long i = position - chunkStart;
            if (i >= chunk.length) {
                if (kernel == null) {
                    throw new MemoryFault(MemoryFault.Space.KERNEL, position, "kallsyms_names runs past kallsyms_token_table");
                }
                int n = (int) (AddressSpace.PAGE_SIZE - (position & (AddressSpace.PAGE_SIZE - 1)));
                chunk = kernel.read(position, n);
                chunkStart = position;
                i = 0;
            }
            position++;
            return chunk[(int) i] & 0xff;
        }
    }
}
