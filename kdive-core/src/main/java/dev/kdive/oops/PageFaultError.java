package dev.kdive.oops;

import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * The page-fault error code pushed by #PF, decoded as the Intel SDM vol. 3A section 4.7
 * "Page-Fault Exceptions" (figure 4-12) defines it; the kernel prints the same bits in its
 * "#PF: error_code(0x0002) - not-present page" line (arch/x86/mm/fault.c show_fault_oops): bit 0
 * {@code present} (a protection violation on a present page, else a not-present page), 1 {@code write},
 * 2 {@code user} mode, 3 {@code reservedBit} set in a paging-structure entry, 4 {@code instructionFetch},
 * 5 {@code protectionKey}, 6 {@code shadowStack}, 15 {@code sgx}.
 */
public record PageFaultError(@Hex long code, boolean present, boolean write, boolean user, boolean reservedBit,
                             boolean instructionFetch, boolean protectionKey, boolean shadowStack, boolean sgx,
                             String description) {
    /** The error code decoded bit by bit. */
    public PageFaultError(long code) {
        this(code, (code & 1) != 0, (code & 2) != 0, (code & 4) != 0, (code & 8) != 0, (code & 16) != 0, (code & 32) != 0,
                (code & 64) != 0, (code & 0x8000) != 0, describe(code));
    }

    /** {@return "supervisor write access in kernel mode, not-present page" in the kernel's words} */
    public String describe() {
        return description;
    }

    private static String describe(long code) {
        boolean user = (code & 4) != 0;
        List<String> parts = new ArrayList<>();
        parts.add((user ? "user" : "supervisor") + " " + ((code & 16) != 0 ? "instruction fetch" : (code & 2) != 0 ? "write access" : "read access")
                + " in " + (user ? "user" : "kernel") + " mode");
        parts.add((code & 1) != 0 ? "protection violation on a present page" : "not-present page");
        if ((code & 8) != 0) {
            parts.add("reserved bit set in a paging-structure entry");
        }
        if ((code & 32) != 0) {
            parts.add("protection-key violation");
        }
        if ((code & 64) != 0) {
            parts.add("shadow-stack access");
        }
        if ((code & 0x8000) != 0) {
            parts.add("SGX violation");
        }
        return String.join(", ", parts);
    }
}
