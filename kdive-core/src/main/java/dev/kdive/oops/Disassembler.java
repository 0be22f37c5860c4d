package dev.kdive.oops;

import java.util.List;

/**
 * Where machine code becomes instructions, spelled as objdump spells them (AT&T syntax): the x86-64
 * disassembler of {@code dev.kdive.disasm} plugs in here. Kept as an interface so the oops model
 * does not depend on how instructions are decoded.
 */
@FunctionalInterface
public interface Disassembler {
    /** One decoded instruction: where it is, its length and objdump's text ("mov    (%rcx),%rbx"). */
    record Instruction(long address, int length, String text) {}

    /**
     * {@return the instructions of {@code code} as if loaded at {@code address}, in order; decoding
     * stops where the bytes run out, and an undecodable byte is one "(bad)" instruction of length 1}
     */
    List<Instruction> disassemble(byte[] code, long address);
}
