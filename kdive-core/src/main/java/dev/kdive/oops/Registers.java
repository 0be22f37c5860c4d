package dev.kdive.oops;

import dev.kdive.value.Hex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The register dump of a report, names as the kernel prints them (arch/x86/kernel/process_64.c
 * __show_regs: RAX, R08, CR2, ...; arm64's x0-x30, sp, pstate), in print order. The selectors that
 * x86 prints fused to other fields are split out: SS from "RSP: 0018:...", CS from "RIP: 0010:...".
 * What the values mean is decoded with them: EFLAGS bit by bit, the selectors, and the registers
 * that hold a non-canonical value.
 *
 * @param values       every register printed, by name, in print order
 * @param eflags       EFLAGS decoded, when printed
 * @param cs           the code segment selector: its RPL is the privilege level the CPU was running at
 * @param ss           the stack segment selector
 * @param nonCanonical every general register whose value is non-canonical: bits 63..47 not all equal
 *                     (Intel SDM vol. 1 section 3.3.7.1 "Canonical Addressing")
 */
public record Registers(@Hex Map<String, Long> values, Optional<Eflags> eflags, Optional<Selector> cs, Optional<Selector> ss,
                        List<NonCanonical> nonCanonical) {
    /** Registers that hold addresses or data, where a non-canonical value means something. */
    private static final Set<String> GENERAL = Set.of("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP", "R08", "R09",
            "R10", "R11", "R12", "R13", "R14", "R15", "RIP", "CR2", "FS", "GS", "knlGS");

    public Registers {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        nonCanonical = List.copyOf(nonCanonical);
    }

    /** The register dump decoded from its values. */
    public Registers(Map<String, Long> values) {
        this(values, Optional.ofNullable(values.get("EFLAGS")).map(Eflags::new),
                Optional.ofNullable(values.get("CS")).map(v -> new Selector((int) (long) v)),
                Optional.ofNullable(values.get("SS")).map(v -> new Selector((int) (long) v)), nonCanonical(values));
    }

    /**
     * {@return the architecture the register dump is from: "arm64" when it has arm64's frame
     * record register x29 (arch/arm64/kernel/process.c __show_regs), else "x86_64"}
     */
    public String architecture() {
        return values.containsKey("x29") ? "arm64" : "x86_64";
    }

    /** {@return the name of the program counter in this architecture's own oops: pc or RIP} */
    public String programCounter() {
        return architecture().equals("arm64") ? "pc" : "RIP";
    }

    public Optional<Long> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /**
     * A register holding a value that is no address in a 48-bit (4-level paging) address space;
     * {@code canonicalWithLa57} tells whether it would be canonical with 5-level paging (bits 63..56).
     */
    public record NonCanonical(String register, @Hex long value, boolean canonicalWithLa57) {}

    private static List<NonCanonical> nonCanonical(Map<String, Long> values) {
        List<NonCanonical> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : values.entrySet()) {
            if (GENERAL.contains(e.getKey()) && !canonical(e.getValue(), 48)) {
                out.add(new NonCanonical(e.getKey(), e.getValue(), canonical(e.getValue(), 57)));
            }
        }
        return out;
    }

    /** {@return whether {@code v} is canonical for a {@code bits}-bit linear address space: the top bits copy bit bits-1} */
    public static boolean canonical(long v, int bits) {
        long top = v >> (bits - 1);
        return top == 0 || top == -1;
    }

    /** {@return the 64-bit register an operand register names (ecx, cx, cl, ch → RCX; r8d → R08), as the oops prints it, or null} */
    public static String widest(String reg) {
        String r = reg.toLowerCase(java.util.Locale.ROOT);
        if (r.startsWith("%")) {
            r = r.substring(1);
        }
        if (r.matches("r(8|9|1[0-5])[dwb]?")) {
            String n = r.replaceAll("[dwb]$", "").substring(1);
            return "R" + (n.length() == 1 ? "0" + n : n);
        }
        return switch (r) {
            case "rax", "eax", "ax", "al", "ah" -> "RAX";
            case "rbx", "ebx", "bx", "bl", "bh" -> "RBX";
            case "rcx", "ecx", "cx", "cl", "ch" -> "RCX";
            case "rdx", "edx", "dx", "dl", "dh" -> "RDX";
            case "rsi", "esi", "si", "sil" -> "RSI";
            case "rdi", "edi", "di", "dil" -> "RDI";
            case "rbp", "ebp", "bp", "bpl" -> "RBP";
            case "rsp", "esp", "sp", "spl" -> "RSP";
            case "rip", "eip" -> "RIP";
            default -> null;
        };
    }
}
