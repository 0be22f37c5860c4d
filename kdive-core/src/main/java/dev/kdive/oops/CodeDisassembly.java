package dev.kdive.oops;

import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "Code:" bytes disassembled as scripts/decodecode does: all of them from the first byte, and,
 * because the first byte may be in the middle of an instruction, again from the faulting byte;
 * the faulting instruction marked, with the registers its operands name and their values from the
 * report's register dump (non-canonical ones flagged).
 *
 * @param allCode   every instruction decoded from the first byte; offsets are from the first byte
 * @param fromFault the instructions decoded from the faulting byte on (empty when no byte is marked)
 * @param faulting  the faulting instruction, or null when no byte is marked
 * @param operands  the registers the faulting instruction reads or writes, with their values
 */
public record CodeDisassembly(List<Disassembler.Instruction> allCode, List<Disassembler.Instruction> fromFault,
                              Disassembler.Instruction faulting, List<Operand> operands) {
    /** A register operand of the faulting instruction and the value the oops printed for it. */
    public record Operand(String register, String spelled, @Hex Long value, boolean nonCanonical) {}

    private static final Pattern REGISTER = Pattern.compile("%([a-z][a-z0-9]*)");

    public CodeDisassembly {
        allCode = List.copyOf(allCode);
        fromFault = List.copyOf(fromFault);
        operands = List.copyOf(operands);
    }

    /** {@return the disassembly of a report's Code: bytes, empty when there are none} */
    public static Optional<CodeDisassembly> of(Code code, Registers registers, Disassembler d) {
        if (code == null || code.unavailable() != null || code.bytes().length == 0 || code.unitBytes() != 1) {
            return Optional.empty();
        }
        byte[] bytes = code.bytes();
        List<Disassembler.Instruction> all = d.disassemble(bytes, 0);
        List<Disassembler.Instruction> from = List.of();
        Disassembler.Instruction faulting = null;
        if (code.faulting() >= 0 && code.faulting() < bytes.length) {
            from = d.disassemble(Arrays.copyOfRange(bytes, code.faulting(), bytes.length), code.faulting());
            faulting = from.isEmpty() ? null : from.getFirst();
        }
        List<Operand> operands = new ArrayList<>();
        if (faulting != null) {
            Map<String, String> seen = new LinkedHashMap<>();
            Matcher m = REGISTER.matcher(faulting.text());
            while (m.find()) {
                String wide = Registers.widest(m.group(1));
                if (wide != null && !wide.equals("RIP")) {
                    seen.putIfAbsent(wide, m.group(1));
                }
            }
            for (Map.Entry<String, String> e : seen.entrySet()) {
                Long v = registers.get(e.getKey()).orElse(null);
                operands.add(new Operand(e.getKey(), e.getValue(), v, v != null && !Registers.canonical(v, 48)));
            }
        }
        return Optional.of(new CodeDisassembly(all, from, faulting, operands));
    }

    /** {@return whether the first pass decoded an instruction starting exactly at the faulting byte (decodecode's two listings agree)} */
    public boolean inSync() {
        return faulting != null && allCode.stream().anyMatch(i -> i.address() == faulting.address());
    }
}
