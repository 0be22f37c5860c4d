package dev.kdive.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kdive.arch.AddressSpace;
import dev.kdive.arch.Translation;
import dev.kdive.dump.MemoryFault;
import dev.kdive.dump.PhysicalMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * kallsyms read from a synthetic kernel: tables laid out as scripts/kallsyms emits them (names,
 * then the token table; one token per character here), with the offsets of newer kernels that have
 * no kallsyms_relative_base, in either of the two ways they can be read.
 */
class KallsymsTest {
    private static final long NUM = 0xffff_ffff_8180_0000L;
    private static final long NAMES = NUM + 0x10;
    private static final long TOKEN_TABLE = NUM + 0x1000;
    private static final long TOKEN_INDEX = NUM + 0x2000;
    private static final long OFFSETS = NUM + 0x3000;
    private static final long STEXT = 0xffff_ffff_8100_0000L;
    private static final Map<String, Long> SYMBOLS = new LinkedHashMap<>();

    static {
        SYMBOLS.put("T_stext", STEXT);
        SYMBOLS.put("tfoo", STEXT + 0x100);
        SYMBOLS.put("Dinit_uts_ns", STEXT + 0x100_0000L);
        SYMBOLS.put("dprb", STEXT + 0x100_1000L);
    }

    private final Map<Long, Byte> bytes = new HashMap<>();

    private final AddressSpace kernel = new AddressSpace() {
        @Override
        public void read(long vaddr, byte[] dst, int offset, int length) throws MemoryFault {
            for (int i = 0; i < length; i++) {
                Byte b = bytes.get(vaddr + i);
                if (b == null) {
                    throw new MemoryFault(MemoryFault.Space.KERNEL, vaddr + i, "not in the fixture");
                }
                dst[offset + i] = b;
            }
        }

        @Override
        public Translation translate(long vaddr) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PhysicalMemory physical() {
            throw new UnsupportedOperationException();
        }

        @Override
        public MemoryFault.Space space() {
            return MemoryFault.Space.KERNEL;
        }
    };

    private void put(long at, byte[] b) {
        for (int i = 0; i < b.length; i++) {
            bytes.put(at + i, b[i]);
        }
    }

    /** Writes the tables; {@code encode} gives offset i's int from its own address and the symbol's. */
    private Map<String, String> kernelWith(LongBinaryOperator encode) {
        put(NUM, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(SYMBOLS.size()).array());
        ByteBuffer names = ByteBuffer.allocate(256);
        ByteBuffer offsets = ByteBuffer.allocate(4 * SYMBOLS.size()).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        for (Map.Entry<String, Long> e : SYMBOLS.entrySet()) {
            names.put((byte) e.getKey().length()).put(e.getKey().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            offsets.putInt((int) encode.applyAsLong(OFFSETS + 4L * i++, e.getValue()));
        }
        put(NAMES, java.util.Arrays.copyOf(names.array(), (int) (TOKEN_TABLE - NAMES))); // the reader takes names up to the token table
        put(OFFSETS, offsets.array());
        ByteBuffer table = ByteBuffer.allocate(1024); // the reader takes 256 bytes past the last token's start
        ByteBuffer index = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < 256; t++) { // token t is the one character t
            table.put(2 * t, (byte) t);
            index.putShort(2 * t, (short) (2 * t));
        }
        put(TOKEN_TABLE, table.array());
        put(TOKEN_INDEX, index.array());
        Map<String, String> info = new HashMap<>();
        info.put("SYMBOL(kallsyms_num_syms)", Long.toHexString(NUM));
        info.put("SYMBOL(kallsyms_names)", Long.toHexString(NAMES));
        info.put("SYMBOL(kallsyms_token_table)", Long.toHexString(TOKEN_TABLE));
        info.put("SYMBOL(kallsyms_token_index)", Long.toHexString(TOKEN_INDEX));
        info.put("SYMBOL(kallsyms_offsets)", Long.toHexString(OFFSETS));
        info.put("SYMBOL(_stext)", Long.toHexString(STEXT));
        info.put("SYMBOL(init_uts_ns)", Long.toHexString(SYMBOLS.get("Dinit_uts_ns")));
        info.put("SYMBOL(prb)", Long.toHexString(SYMBOLS.get("dprb")));
        info.put("SYMBOL(mem_section)", "ffff888012345678"); // a pointer's value, as VMCOREINFO gives it: no address of a symbol
        return info;
    }

    @Test
    void placeRelativeOffsetsWithoutARelativeBase() throws Exception {
        SymbolTable t = Kallsyms.read(kernel, kernelWith((self, address) -> address - self)); // offset_to_ptr()
        assertThat(t.lookup("foo")).get().satisfies(s -> {
            assertThat(s.address()).isEqualTo(STEXT + 0x100);
            assertThat(s.type()).isEqualTo('t');
        });
        assertThat(t.lookup("init_uts_ns").orElseThrow().address()).isEqualTo(STEXT + 0x100_0000L);
        assertThat(t.size()).isEqualTo(4);
    }

    @Test
    void offsetsFromStextWithoutARelativeBase() throws Exception {
        SymbolTable t = Kallsyms.read(kernel, kernelWith((self, address) -> address - STEXT));
        assertThat(t.lookup("prb").orElseThrow().address()).isEqualTo(STEXT + 0x100_1000L);
        assertThat(t.lookup("foo").orElseThrow().address()).isEqualTo(STEXT + 0x100);
    }

    @Test
    void offsetsThatMatchNoKnownSymbolAreRefusedNotGuessed() {
        Map<String, String> info = kernelWith((self, address) -> address - STEXT + 0x40);
        assertThatThrownBy(() -> Kallsyms.read(kernel, info)).isInstanceOf(Kallsyms.Unavailable.class)
                .hasMessageContaining("without kallsyms_relative_base").hasMessageContaining("VMCOREINFO says");
    }
}
