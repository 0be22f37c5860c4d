package dev.kdive.disasm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The Zydis 4.0 decoder (libZydis.so.4.0, Debian package libzydis4.0) through the FFM API. Every
 * struct offset below comes from Zydis 4.0.0's headers (Zydis/DecoderTypes.h, Zydis/Decoder.h,
 * Zydis/SharedTypes.h), measured with offsetof on x86-64; the library's version is checked at load
 * so that another ABI is refused rather than misread.
 */
final class Zydis implements AutoCloseable {
    static final String LIBRARY = "libZydis.so.4.0";
    static final String PACKAGE = "libzydis4.0";

    // ZydisDecoder is opaque; sizeof == 20 (Decoder.h). ZYDIS_MAX_OPERAND_COUNT == 10.
    private static final long DECODER_SIZE = 20;
    private static final int MAX_OPERANDS = 10;

    // ZydisDecodedInstruction (DecoderTypes.h), sizeof 328.
    private static final long INSN_SIZE = 328;
    private static final long I_MNEMONIC = 4;
    private static final long I_LENGTH = 8;
    private static final long I_ENCODING = 12;
    private static final long I_OPCODE_MAP = 16;
    private static final long I_OPCODE = 20;
    private static final long I_OPERAND_WIDTH = 22;
    private static final long I_ADDRESS_WIDTH = 23;
    private static final long I_OPERAND_COUNT_VISIBLE = 25;
    private static final long I_ATTRIBUTES = 32;
    private static final long I_AVX_MASK_MODE = 60;
    private static final long I_AVX_MASK_REG = 64;
    private static final long I_AVX_BROADCAST_MODE = 72;
    private static final long I_AVX_ROUNDING_MODE = 76;
    private static final long I_AVX_HAS_SAE = 88;
    private static final long I_RAW_PREFIX_COUNT = 112;
    private static final long I_RAW_PREFIXES = 116; // ZydisDecodedInstructionRawPrefix_ {type, value}: 8 bytes each
    private static final long I_RAW_MODRM_MOD = 255;
    private static final long I_RAW_MODRM_REG = 256;
    private static final long I_RAW_MODRM_RM = 257;

    // ZydisDecodedOperand (DecoderTypes.h), sizeof 80.
    private static final long OP_SIZE = 80;
    private static final long O_VISIBILITY = 4;
    private static final long O_ENCODING = 12;
    private static final long O_SIZE = 16;
    private static final long O_TYPE = 32;
    private static final long O_REG = 40;
    private static final long O_MEM_TYPE = 40;
    private static final long O_MEM_SEGMENT = 44;
    private static final long O_MEM_BASE = 48;
    private static final long O_MEM_INDEX = 52;
    private static final long O_MEM_SCALE = 56;
    private static final long O_MEM_HAS_DISP = 64;
    private static final long O_MEM_DISP = 72;
    private static final long O_PTR_SEGMENT = 40;
    private static final long O_PTR_OFFSET = 44;
    private static final long O_IMM_SIGNED = 40;
    private static final long O_IMM_RELATIVE = 41;
    private static final long O_IMM_VALUE = 48;

    // Enumerations (SharedTypes.h, Status.h, Register.h).
    private static final int MACHINE_MODE_LONG_64 = 0;
    private static final int STACK_WIDTH_64 = 2;
    static final int STATUS_NO_MORE_DATA = 0x80200000;
    static final int OPERAND_REGISTER = 1;
    static final int OPERAND_MEMORY = 2;
    static final int OPERAND_POINTER = 3;
    static final int OPERAND_IMMEDIATE = 4;
    static final int VISIBILITY_EXPLICIT = 1;
    static final int VISIBILITY_IMPLICIT = 2;
    static final int MEMOP_AGEN = 2;
    static final int PREFIX_IGNORED = 0;
    static final int PREFIX_EFFECTIVE = 1;
    static final int PREFIX_MANDATORY = 2;
    static final int ENCODING_LEGACY = 0;
    static final int ENCODING_EVEX = 4;
    static final int MASK_MODE_ZEROING = 3;
    static final int REGISTER_RIP = 0xc5;
    static final int OPERAND_ENCODING_IS4 = 5;
    private static final int MNEMONIC_MAX = 0x6da;
    private static final int REGISTER_MAX = 0x109;

    private final Arena arena;
    private final MethodHandle decodeFull;
    private final MemorySegment decoder;
    private final MemorySegment instruction;
    private final MemorySegment operands;
    private final String[] mnemonics;
    private final String[] registers;

    private Zydis(Arena arena, SymbolLookup lib) throws Throwable {
        this.arena = arena;
        Linker linker = Linker.nativeLinker();
        MethodHandle version = linker.downcallHandle(find(lib, "ZydisGetVersion"), FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        long v = (long) version.invokeExact();
        if ((v >>> 32) != 0x40000) { // ZYDIS_VERSION 4.0.x.x: major in bits 48..63, minor in 32..47
            throw new IllegalStateException("expected Zydis 4.0, found version 0x" + Long.toHexString(v));
        }
        MethodHandle init = linker.downcallHandle(find(lib, "ZydisDecoderInit"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        decodeFull = linker.downcallHandle(find(lib, "ZydisDecoderDecodeFull"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
                Linker.Option.critical(true));
        MethodHandle mnemonicString = linker.downcallHandle(find(lib, "ZydisMnemonicGetString"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        MethodHandle registerString = linker.downcallHandle(find(lib, "ZydisRegisterGetString"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        decoder = arena.allocate(DECODER_SIZE, 8);
        instruction = arena.allocate(INSN_SIZE, 8);
        operands = arena.allocate(OP_SIZE * MAX_OPERANDS, 8);
        int status = (int) init.invokeExact(decoder, MACHINE_MODE_LONG_64, STACK_WIDTH_64);
        if (status < 0) {
            throw new IllegalStateException("ZydisDecoderInit failed with status 0x" + Integer.toHexString(status));
        }
        mnemonics = new String[MNEMONIC_MAX + 1];
        for (int i = 0; i <= MNEMONIC_MAX; i++) {
            MemorySegment s = (MemorySegment) mnemonicString.invokeExact(i);
            mnemonics[i] = s.equals(MemorySegment.NULL) ? "?" : s.reinterpret(64).getString(0);
        }
        registers = new String[REGISTER_MAX + 1];
        for (int i = 0; i <= REGISTER_MAX; i++) {
            MemorySegment s = (MemorySegment) registerString.invokeExact(i);
            registers[i] = s.equals(MemorySegment.NULL) ? "?" : s.reinterpret(64).getString(0);
        }
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException(LIBRARY + " has no symbol " + name));
    }

    /** {@return the decoder, or an exception whose message says which package to install} */
    static Zydis load() throws Disassembler.Unavailable {
        return load(LIBRARY);
    }

    static Zydis load(String library) throws Disassembler.Unavailable {
        Arena arena = Arena.ofShared(); // the Disassembler may be used from any thread
        try {
            return new Zydis(arena, SymbolLookup.libraryLookup(library, arena));
        } catch (IllegalArgumentException e) { // libraryLookup: dlopen failed
            arena.close();
            throw new Disassembler.Unavailable("dis needs " + PACKAGE + " (apt-get install " + PACKAGE + "): cannot load " + library);
        } catch (Throwable e) {
            arena.close();
            throw new Disassembler.Unavailable("dis needs " + PACKAGE + " 4.0 (apt-get install " + PACKAGE + "): " + e.getMessage());
        }
    }

    String mnemonic(int id) {
        return id >= 0 && id < mnemonics.length ? mnemonics[id] : "?";
    }

    String register(int id) {
        return id >= 0 && id < registers.length ? registers[id] : "?";
    }

    /**
     * Decodes one instruction from {@code code} (a native or heap segment; Zydis reads it through a
     * critical downcall, so heap arrays need no copy). {@return the decoded form, or null with
     * {@code status[0]} set to Zydis's status code when the bytes are no instruction}
     */
    Decoded decode(MemorySegment code, int[] status) {
        int s;
        try {
            s = (int) decodeFull.invokeExact(decoder, code, code.byteSize(), instruction, operands);
        } catch (Throwable e) {
            throw new IllegalStateException("ZydisDecoderDecodeFull", e);
        }
        status[0] = s;
        if (s < 0) {
            return null;
        }
        MemorySegment i = instruction;
        int prefixCount = u8(i, I_RAW_PREFIX_COUNT);
        int[] prefixBytes = new int[prefixCount];
        int[] prefixTypes = new int[prefixCount];
        for (int p = 0; p < prefixCount; p++) {
            prefixTypes[p] = i.get(ValueLayout.JAVA_INT, I_RAW_PREFIXES + 8L * p);
            prefixBytes[p] = u8(i, I_RAW_PREFIXES + 8L * p + 4);
        }
        int visible = u8(i, I_OPERAND_COUNT_VISIBLE);
        List<Decoded.Operand> ops = new ArrayList<>(visible);
        for (int n = 0; n < visible; n++) {
            long o = OP_SIZE * n;
            int visibility = operands.get(ValueLayout.JAVA_INT, o + O_VISIBILITY);
            boolean explicit = visibility == VISIBILITY_EXPLICIT;
            int size = Short.toUnsignedInt(operands.get(ValueLayout.JAVA_SHORT, o + O_SIZE));
            int encoding = operands.get(ValueLayout.JAVA_INT, o + O_ENCODING);
            ops.add(switch (operands.get(ValueLayout.JAVA_INT, o + O_TYPE)) {
                case OPERAND_REGISTER -> new Decoded.Register(operands.get(ValueLayout.JAVA_INT, o + O_REG), size, explicit, encoding);
                case OPERAND_MEMORY -> new Decoded.Memory(operands.get(ValueLayout.JAVA_INT, o + O_MEM_TYPE),
                        operands.get(ValueLayout.JAVA_INT, o + O_MEM_SEGMENT), operands.get(ValueLayout.JAVA_INT, o + O_MEM_BASE),
                        operands.get(ValueLayout.JAVA_INT, o + O_MEM_INDEX), u8(operands, o + O_MEM_SCALE),
                        operands.get(ValueLayout.JAVA_BYTE, o + O_MEM_HAS_DISP) != 0,
                        operands.get(ValueLayout.JAVA_LONG, o + O_MEM_DISP), size, explicit);
                case OPERAND_IMMEDIATE -> new Decoded.Immediate(operands.get(ValueLayout.JAVA_LONG, o + O_IMM_VALUE),
                        operands.get(ValueLayout.JAVA_BYTE, o + O_IMM_SIGNED) != 0,
                        operands.get(ValueLayout.JAVA_BYTE, o + O_IMM_RELATIVE) != 0, size, explicit);
                case OPERAND_POINTER -> new Decoded.Pointer(Short.toUnsignedInt(operands.get(ValueLayout.JAVA_SHORT, o + O_PTR_SEGMENT)),
                        Integer.toUnsignedLong(operands.get(ValueLayout.JAVA_INT, o + O_PTR_OFFSET)), explicit);
                default -> new Decoded.Register(0, size, explicit, encoding);
            });
        }
        return new Decoded(i.get(ValueLayout.JAVA_INT, I_MNEMONIC), u8(i, I_LENGTH), i.get(ValueLayout.JAVA_INT, I_ENCODING),
                i.get(ValueLayout.JAVA_INT, I_OPCODE_MAP), u8(i, I_OPCODE), u8(i, I_OPERAND_WIDTH), u8(i, I_ADDRESS_WIDTH),
                i.get(ValueLayout.JAVA_LONG, I_ATTRIBUTES), prefixBytes, prefixTypes,
                u8(i, I_RAW_MODRM_MOD), u8(i, I_RAW_MODRM_REG), u8(i, I_RAW_MODRM_RM),
                i.get(ValueLayout.JAVA_INT, I_AVX_MASK_REG), i.get(ValueLayout.JAVA_INT, I_AVX_MASK_MODE),
                i.get(ValueLayout.JAVA_INT, I_AVX_BROADCAST_MODE), i.get(ValueLayout.JAVA_INT, I_AVX_ROUNDING_MODE),
                i.get(ValueLayout.JAVA_BYTE, I_AVX_HAS_SAE) != 0, List.copyOf(ops));
    }

    private static int u8(MemorySegment s, long off) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, off));
    }

    @Override
    public void close() {
        arena.close();
    }
}
