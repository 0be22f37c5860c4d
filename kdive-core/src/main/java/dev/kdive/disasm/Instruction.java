package dev.kdive.disasm;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongFunction;

/**
 * One x86-64 instruction as {@code objdump -d --no-show-raw-insn} (binutils 2.40, AT&T syntax)
 * prints it.
 *
 * @param address       where the instruction starts
 * @param bytes         its encoding ({@link #length()} bytes)
 * @param kind          decoded, undecodable ({@code (bad)}), or cut off by the end of the input
 * @param mnemonic      the mnemonic with the prefixes objdump spells out: {@code lock xadd},
 *                      {@code data16 cs nopw}, {@code rep stos}; {@code (bad)}; {@code .byte}
 * @param operands      the operands, comma-separated; a direct branch's target as bare hex
 * @param target        a direct call/jmp/jcc/loop target, for {@code <symbol+off>}
 * @param memoryAddress the address a RIP-relative memory operand refers to, for objdump's
 *                      {@code # address <symbol>} comment
 */
public record Instruction(long address, byte[] bytes, Kind kind, String mnemonic, String operands,
                          OptionalLong target, OptionalLong memoryAddress) {

    public enum Kind {
        DECODED,
        /** bytes that encode no instruction; objdump's {@code (bad)} */
        BAD,
        /** the input ends inside the instruction; objdump prints its first byte as {@code .byte} or prefix */
        TRUNCATED
    }

    public Instruction {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** {@return the objdump text without symbol names: branch targets and RIP-relative addresses as bare hex} */
    public String text() {
        return text(a -> Optional.empty());
    }

    /**
     * {@return objdump's instruction text; {@code symbolize} names an address as objdump does in
     * angle brackets ({@code __fentry__}, {@code startup_64+0x43}), or is empty for none}
     */
    public String text(LongFunction<Optional<String>> symbolize) {
        StringBuilder b = new StringBuilder(mnemonic);
        if (kind == Kind.TRUNCATED && !operands.isEmpty()) {
            b.append(' ').append(operands); // ".byte 0xb8": a directive, not padded like a mnemonic
        } else if (!operands.isEmpty()) {
            // objdump pads the mnemonic column to 6 and adds one space.
            b.repeat(' ', Math.max(0, 6 - mnemonic.length())).append(' ').append(operands);
        }
        target.ifPresent(t -> symbolize.apply(t).ifPresent(s -> b.append(" <").append(s).append('>')));
        memoryAddress.ifPresent(m -> {
            b.append("        # ").append(Long.toHexString(m));
            symbolize.apply(m).ifPresent(s -> b.append(" <").append(s).append('>'));
        });
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instruction i && i.address == address && Arrays.equals(i.bytes, bytes) && i.kind == kind
                && i.mnemonic.equals(mnemonic) && i.operands.equals(operands) && i.target.equals(target)
                && i.memoryAddress.equals(memoryAddress);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(address) * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Long.toHexString(address) + ": " + HexFormat.ofDelimiter(" ").formatHex(bytes) + "  " + text();
    }
}
