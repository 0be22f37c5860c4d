package dev.kdive.oops;

import java.util.List;

/**
 * Where machine code becomes instructions, spelled as objdump spells them (AT&T syntax): kdive's
 * x86-64 disassembler ({@link #x86_64(dev.kdive.disasm.Disassembler)}), or any other decoder (tests
 * use objdump itself). An interface, so the oops model does not depend on how instructions are decoded.
 */
@FunctionalInterface
public interface Disassembler {
    /**
     * {@return kdive's x86-64 disassembler (dev.kdive.disasm) as one, spelling addresses as objdump
     * does where it has no symbols (raw Code: bytes): "call   0xffffffffffffd09c", "# 0x480eb904"}
     */
    static Disassembler x86_64(dev.kdive.disasm.Disassembler d) {
        return (code, address) -> d.decode(code, address).stream()
                .map(i -> new Instruction(i.address(), i.length(), withoutSymbols(i))).toList();
    }

    private static String withoutSymbols(dev.kdive.disasm.Instruction i) {
        String t = i.text();
        if (i.memoryAddress().isPresent()) {
            String h = Long.toHexString(i.memoryAddress().getAsLong());
            t = t.replace("# " + h, "# 0x" + h);
        }
        if (i.target().isPresent()) {
            String h = Long.toHexString(i.target().getAsLong());
            if (t.endsWith(" " + h) || t.endsWith("," + h)) {
                t = t.substring(0, t.length() - h.length()) + "0x" + h;
            }
        }
        return t;
    }

    /** One decoded instruction: where it is, its length and objdump's text ("mov    (%rcx),%rbx"). */
    record Instruction(long address, int length, String text) {}

    /**
     * {@return the instructions of {@code code} as if loaded at {@code address}, in order; decoding
     * stops where the bytes run out, and an undecodable byte is one "(bad)" instruction of length 1}
     */
    List<Instruction> disassemble(byte[] code, long address);
}
