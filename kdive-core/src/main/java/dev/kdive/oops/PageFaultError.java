package dev.kdive.oops;

import java.util.ArrayList;
import java.util.List;

/**
 * The page-fault error code pushed by #PF, decoded as the Intel SDM vol. 3A section 4.7
 * "Page-Fault Exceptions" (figure 4-12) defines it; the kernel prints the same bits in its
 * "#PF: error_code(0x0002) - not-present page" line (arch/x86/mm/fault.c show_fault_oops).
 */
public record PageFaultError(long code) {
    /** Bit 0: 0 = non-present page, 1 = page-level protection violation. */
    public boolean present() {
        return (code & 1) != 0;
    }

    /** Bit 1: 0 = read, 1 = write. */
    public boolean write() {
        return (code & 2) != 0;
    }

    /** Bit 2: 0 = supervisor-mode access, 1 = user-mode access. */
    public boolean user() {
        return (code & 4) != 0;
    }

    /** Bit 3: a reserved bit was set in some paging-structure entry. */
    public boolean reservedBit() {
        return (code & 8) != 0;
    }

    /** Bit 4: the access was an instruction fetch. */
    public boolean instructionFetch() {
        return (code & 16) != 0;
    }

    /** Bit 5: protection-key violation. */
    public boolean protectionKey() {
        return (code & 32) != 0;
    }

    /** Bit 6: shadow-stack access. */
    public boolean shadowStack() {
        return (code & 64) != 0;
    }

    /** Bit 15: SGX-specific access-control violation. */
    public boolean sgx() {
        return (code & 0x8000) != 0;
    }

    /** {@return "supervisor write access in kernel mode, not-present page" in the kernel's words} */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add((user() ? "user" : "supervisor") + " " + (instructionFetch() ? "instruction fetch" : write() ? "write access" : "read access")
                + " in " + (user() ? "user" : "kernel") + " mode");
        parts.add(present() ? "protection violation on a present page" : "not-present page");
        if (reservedBit()) {
            parts.add("reserved bit set in a paging-structure entry");
        }
        if (protectionKey()) {
            parts.add("protection-key violation");
        }
        if (shadowStack()) {
            parts.add("shadow-stack access");
        }
        if (sgx()) {
            parts.add("SGX violation");
        }
        return String.join(", ", parts);
    }
}
