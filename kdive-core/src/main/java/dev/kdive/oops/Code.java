package dev.kdive.oops;

import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * The "Code:" line: machine code around the faulting instruction. x86 prints 42 bytes before the
 * instruction pointer and 22 from it, the byte at the IP in angle brackets (arch/x86/kernel/
 * dumpstack.c show_opcodes: {@code OPCODE_BUFSIZE} 64, {@code PROLOGUE_SIZE} 42); ARM and arm64
 * print 32-bit words, the one at the PC in parentheses (arch/arm64/kernel/traps.c dump_kernel_instr),
 * which is also how scripts/decodecode reads them.
 *
 * @param faulting    index in {@link #bytes()} of the first byte of the faulting instruction, -1 when not marked
 * @param unitBytes   width of each printed group: 1 for x86 bytes, 2 or 4 for ARM (halfwords, words)
 * @param unavailable the kernel's reason when no bytes were printed ("Unable to access opcode bytes at 0x...")
 */
public record Code(@Hex byte[] bytes, int faulting, int unitBytes, String unavailable) {
    public Code {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** {@return the bytes as hex, the faulting one in angle brackets, as decodecode takes them} */
    public String hex() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                b.append(' ');
            }
            String h = String.format("%02x", bytes[i] & 0xff);
            b.append(i == faulting ? "<" + h + ">" : h);
        }
        return b.toString();
    }

    /** {@return the code of a "Code:" line's text (after "Code:"), or null when it holds no code} */
    static Code parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return null;
        }
        if (!Character.isLetterOrDigit(t.charAt(0)) && t.charAt(0) != '<' && t.charAt(0) != '(') {
            return null;
        }
        if (t.startsWith("Unable") || t.startsWith("Bad")) {
            return new Code(new byte[0], -1, 1, t);
        }
        List<Byte> out = new ArrayList<>();
        int faulting = -1;
        int unit = 0;
        for (String tok : t.split("\\s+")) {
            boolean mark = false;
            if (tok.length() > 2 && (tok.charAt(0) == '<' && tok.endsWith(">") || tok.charAt(0) == '(' && tok.endsWith(")"))) {
                mark = true;
                tok = tok.substring(1, tok.length() - 1);
            }
            int len = tok.length();
            if (len != 2 && len != 4 && len != 8 || !isHex(tok)) {
                break; // trailing text: "Code: ... 48 89 (bad)" or garbage
            }
            if (unit == 0) {
                unit = len / 2;
            } else if (unit != len / 2) {
                break;
            }
            if (mark && faulting < 0) {
                faulting = out.size();
            }
            long v = Long.parseLong(tok, 16);
            for (int i = 0; i < len / 2; i++) { // ARM words print most significant first; memory is little-endian
                out.add((byte) (len == 2 ? v : v >>> (8 * i)));
            }
        }
        if (out.isEmpty()) {
            return null;
        }
        byte[] bytes = new byte[out.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = out.get(i);
        }
        return new Code(bytes, faulting, Math.max(unit, 1), null);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Code c && java.util.Arrays.equals(bytes, c.bytes) && faulting == c.faulting
                && unitBytes == c.unitBytes && java.util.Objects.equals(unavailable, c.unavailable);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes) * 31 + faulting;
    }

    @Override
    public String toString() {
        return unavailable != null ? unavailable : hex();
    }
}
