package dev.kdive.disasm;

import java.util.List;

/**
 * What Zydis decoded, copied out of its structs: the Intel-order operands and the raw prefix bytes
 * that {@link AttSyntax} needs to spell the instruction as objdump does.
 *
 * @param prefixBytes the legacy and REX prefix bytes in encoding order
 * @param prefixTypes for each, whether Zydis found it ignored, effective or mandatory
 */
record Decoded(int mnemonic, int length, int encoding, int opcodeMap, int opcode, int operandWidth, int addressWidth,
               long attributes, int[] prefixBytes, int[] prefixTypes, int modrmMod, int modrmReg, int modrmRm,
               int maskRegister, int maskMode, int broadcast, int rounding, boolean sae, List<Operand> operands) {

    // ZydisInstructionAttributes bits (DecoderTypes.h).
    static final long ATTRIB_HAS_MODRM = 1L;
    static final long ATTRIB_HAS_LOCK = 1L << 27;
    static final long ATTRIB_HAS_SEGMENT_FS = 1L << 41;
    static final long ATTRIB_HAS_SEGMENT_GS = 1L << 42;

    /** One visible operand; {@code explicit} is false for those the opcode implies (Zydis "implicit"). */
    sealed interface Operand {
        boolean explicit();
    }

    record Register(int register, int size, boolean explicit, int encoding) implements Operand {}

    record Memory(int type, int segment, int base, int index, int scale, boolean hasDisplacement, long displacement,
                  int size, boolean explicit) implements Operand {}

    record Immediate(long value, boolean signed, boolean relative, int size, boolean explicit) implements Operand {}

    record Pointer(int segment, long offset, boolean explicit) implements Operand {}
}
