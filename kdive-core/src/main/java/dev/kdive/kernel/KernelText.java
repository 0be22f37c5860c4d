package dev.kdive.kernel;

import dev.kdive.disasm.Disassembler;
import dev.kdive.disasm.Instruction;
import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.Program;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The kernel's code as it ran: bytes read from the dump's memory (so ftrace's NOPs, alternatives
 * and static calls show as patched), decoded, and cut where a function ends. kallsyms has no
 * sizes, so a function's end is found from its code: the compiler's padding, the return thunk
 * the kernel patched in, or the next function's entry.
 */
public final class KernelText {
    /** The 5-byte NOP ftrace writes over each function's {@code call __fentry__} (arch/x86/kernel/ftrace.c). */
    private static final byte[] NOP5 = {0x0f, 0x1f, 0x44, 0x00, 0x00};

    private KernelText() {
    }

    /**
     * Decoded code.
     *
     * @param fault the read that ended the bytes early (the page is not in the dump); null when all were read
     */
    public record Code(List<Instruction> instructions, UnreadableMemory fault) {
        public Code {
            instructions = List.copyOf(instructions);
        }
    }

    /** {@return the instructions in {@code [start, start + length)}, as far as the dump has the bytes} */
    public static Code decode(Program p, Disassembler d, long start, int length) {
        try {
            return new Code(d.decode(p.kernel().read(start, length), start), null);
        } catch (MemoryFault f) {
            int n = (int) Math.max(0, Math.min(length, f.address() - start));
            byte[] readable;
            try {
                readable = p.kernel().read(start, n);
            } catch (MemoryFault again) {
                readable = new byte[0];
            }
            return new Code(d.decode(readable, start), UnreadableMemory.of("code at " + Long.toHexString(start), f));
        }
    }

    /**
     * {@return a function's instructions from its start up to where it ends, out of the code from
     * its start to the next symbol} The padding the compiler put after its last instruction (NOPs,
     * or INT3s in noinstr code) is not the function's; the INT3s right after a RET are (the 5-byte
     * jump to the return thunk that the kernel patches into "ret" and four INT3s at boot,
     * arch/x86/kernel/alternative.c). A function the linker dropped (a weak one overridden elsewhere)
     * leaves code without a name: a function also ends where padding leads to another function's
     * entry at a 16-byte boundary. An __init function freed after boot (all INT3 fill) and objtool's
     * {@code __pfx_} padding (all NOPs, 6.2+) are shown whole, as crash shows them.
     */
    public static List<Instruction> functionBody(Program p, List<Instruction> code) {
        List<Instruction> insns = new ArrayList<>(code);
        if (insns.stream().allMatch(i -> i.mnemonic().equals("int3")) || insns.stream().allMatch(KernelText::padding)) {
            return insns;
        }
        for (int k = 1; k < insns.size(); k++) {
            if ((insns.get(k).address() & 15) == 0 && padding(insns.get(k - 1)) && functionEntry(p, insns.get(k))) {
                insns.subList(k, insns.size()).clear();
                break;
            }
        }
        while (!insns.isEmpty() && padding(insns.getLast())) {
            insns.removeLast();
        }
        int ret = insns.size();
        while (ret > 0 && insns.get(ret - 1).mnemonic().equals("int3")) {
            ret--;
        }
        if (ret > 0 && ret < insns.size() && insns.get(ret - 1).mnemonic().equals("ret")) {
            ret = Math.min(insns.size(), ret + 4);
        }
        insns.subList(ret, insns.size()).clear();
        return insns;
    }

    /**
     * {@return the instructions with the first one that the end of the bytes cut short decoded
     * whole, from the bytes past the end, and nothing after it} A function ends where its symbol's
     * size or the next symbol says, but its last instruction may run past that point (garbage in
     * freed __init or __exit text decodes so); objdump and gdb decode every instruction that starts
     * inside the function whole.
     */
    public static List<Instruction> lastWhole(Program p, Disassembler d, List<Instruction> insns) {
        for (int k = 0; k < insns.size(); k++) {
            Instruction i = insns.get(k);
            if (i.kind() == Instruction.Kind.TRUNCATED) {
                Code rest = decode(p, d, i.address(), 15);
                if (rest.fault() != null || rest.instructions().isEmpty()) {
                    return insns; // the dump ends there: the cut is the memory's, not the function's
                }
                List<Instruction> out = new ArrayList<>(insns.subList(0, k));
                out.add(rest.instructions().getFirst());
                return out;
            }
        }
        return insns;
    }

    /** {@return whether an instruction is padding: a NOP of any length (66 90 is xchg %ax,%ax)} */
    public static boolean padding(Instruction i) {
        return i.mnemonic().contains("nop") || i.mnemonic().equals("xchg") && i.operands().equals("%ax,%ax");
    }

    /** {@return whether an instruction can begin a function: the call to __fentry__ (or ftrace's NOP of it), or ENDBR64} */
    public static boolean functionEntry(Program p, Instruction i) {
        if (Arrays.equals(i.bytes(), NOP5) || i.mnemonic().equals("endbr64")) {
            return true;
        }
        return i.mnemonic().equals("call") && i.target().isPresent()
                && p.symbolContaining(i.target().getAsLong()).map(s -> s.name().equals("__fentry__")).orElse(false);
    }

    /**
     * {@return whether an instruction is the NOP ftrace put over a function's {@code call __fentry__}:
     * the 5-byte NOP at the function's start, or right after its ENDBR64 when IBT is on}
     */
    public static boolean ftraceNop(Program p, Instruction i) {
        if (!Arrays.equals(i.bytes(), NOP5)) {
            return false;
        }
        long off = p.symbolContaining(i.address()).map(fn -> i.address() - fn.address()).orElse(-1L);
        return off == 0 || off == 4;
    }
}
