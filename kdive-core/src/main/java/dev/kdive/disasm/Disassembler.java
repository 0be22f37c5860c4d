package dev.kdive.disasm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * An x86-64 disassembler whose text equals {@code objdump -d --no-show-raw-insn} (binutils 2.40,
 * AT&T syntax): Zydis 4.0 decodes, {@link AttSyntax} spells. Never throws on the bytes it is given:
 * what encodes no instruction becomes {@code (bad)}, what the input cuts off becomes a
 * {@link Instruction.Kind#TRUNCATED} one-byte {@code .byte}/prefix, as objdump prints them.
 * Symbol names are the caller's business ({@link Instruction#text(java.util.function.LongFunction)}).
 * Holds native memory until closed; safe to share between threads (calls are serialized).
 */
public final class Disassembler implements AutoCloseable {
    /** The decoder library cannot be used here; the message says which package to install. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    private static final int MAX_INSTRUCTION_LENGTH = 15; // SDM vol. 2 §2.3.11

    private final Zydis zydis;
    private final AttSyntax syntax;
    private final int[] status = new int[1];

    private Disassembler(Zydis zydis) {
        this.zydis = zydis;
        this.syntax = new AttSyntax(zydis);
    }

    /** {@return a 64-bit mode disassembler}; fails with a one-line message when libZydis 4.0 is missing */
    public static Disassembler x86_64() throws Unavailable {
        return new Disassembler(Zydis.load());
    }

    /** {@return every instruction in {@code code}, the first at {@code address}, back to back to its end} */
    public List<Instruction> decode(byte[] code, long address) {
        return decode(MemorySegment.ofArray(code), address);
    }

    /** {@return every instruction in {@code code}, the first at {@code address}, back to back to its end} */
    public synchronized List<Instruction> decode(MemorySegment code, long address) {
        List<Instruction> out = new ArrayList<>((int) Math.min(code.byteSize() / 3 + 1, 1 << 20));
        long off = 0;
        while (off < code.byteSize()) {
            Instruction i = decodeAt(code, off, address + off);
            if (i.mnemonic().equals("fwait") && off + 1 < code.byteSize()) {
                // objdump folds FWAIT into a following no-wait x87 control instruction: 9b db e3 is
                // "finit" (SDM vol. 2, FINIT/FNINIT: "FINIT is FWAIT FNINIT").
                Instruction n = decodeAt(code, off + 1, address + off + 1);
                if (n.kind() == Instruction.Kind.DECODED && n.mnemonic().startsWith("fn")) {
                    byte[] both = code.asSlice(off, 1 + n.length()).toArray(ValueLayout.JAVA_BYTE);
                    i = new Instruction(i.address(), both, Instruction.Kind.DECODED, "f" + n.mnemonic().substring(2), n.operands(),
                            n.target(), n.memoryAddress());
                }
            }
            out.add(i);
            off += i.length();
        }
        return out;
    }

    /** {@return the one instruction at the start of {@code code}} */
    public synchronized Instruction decodeOne(MemorySegment code, long address) {
        if (code.byteSize() == 0) {
            throw new IllegalArgumentException("no bytes to decode at 0x" + Long.toHexString(address));
        }
        return decodeAt(code, 0, address);
    }

    private Instruction decodeAt(MemorySegment code, long off, long address) {
        MemorySegment window = code.asSlice(off, Math.min(MAX_INSTRUCTION_LENGTH, code.byteSize() - off));
        Decoded d = zydis.decode(window, status);
        if (d == null) {
            byte[] first = window.asSlice(0, 1).toArray(ValueLayout.JAVA_BYTE);
            if (status[0] == Zydis.STATUS_NO_MORE_DATA) {
                // objdump (i386-dis.c fetch_error): the first byte alone, by its prefix name if it is one.
                String prefix = prefixName(Byte.toUnsignedInt(first[0]));
                return new Instruction(address, first, Instruction.Kind.TRUNCATED, prefix != null ? prefix : ".byte",
                        prefix != null ? "" : "0x" + Integer.toHexString(Byte.toUnsignedInt(first[0])),
                        OptionalLong.empty(), OptionalLong.empty());
            }
            return new Instruction(address, first, Instruction.Kind.BAD, "(bad)", "", OptionalLong.empty(), OptionalLong.empty());
        }
        AttSyntax.Spelled s = syntax.spell(d, address);
        return new Instruction(address, window.asSlice(0, d.length()).toArray(ValueLayout.JAVA_BYTE), Instruction.Kind.DECODED,
                s.mnemonic(), s.operands(), s.target(), s.memoryAddress());
    }

    /** objdump's names for prefix bytes (SDM vol. 2 §2.1.1 and §2.2.1), null for other bytes. */
    private static String prefixName(int b) {
        return switch (b) {
            case 0xf0 -> "lock";
            case 0xf2 -> "repnz";
            case 0xf3 -> "repz";
            case 0x66 -> "data16";
            case 0x67 -> "addr32";
            case 0x2e -> "cs";
            case 0x36 -> "ss";
            case 0x3e -> "ds";
            case 0x26 -> "es";
            case 0x64 -> "fs";
            case 0x65 -> "gs";
            case 0x9b -> "fwait";
            default -> (b & 0xf0) == 0x40 ? AttSyntax.rexName(b) : null;
        };
    }

    @Override
    public void close() {
        zydis.close();
    }
}
