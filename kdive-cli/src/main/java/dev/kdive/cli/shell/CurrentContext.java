package dev.kdive.cli.shell;

import dev.kdive.arch.AddressSpace;
import dev.kdive.arch.x86_64.CpuState;
import dev.kdive.program.Program;
import java.util.OptionalInt;

/**
 * crash's "current context": the task that was running on the CPU that panicked. Until tasks are
 * read from the dump, a user address space comes from that CPU's CR3, which QEMU's CPU notes keep.
 */
final class CurrentContext {
    private CurrentContext() {
    }

    /** {@return the CPU that panicked: the kernel's {@code panic_cpu}, when it was set} */
    static OptionalInt panicCpu(Program p) {
        try {
            int cpu = (int) p.kernel().u32(p.address("panic_cpu"));
            return cpu >= 0 && cpu < p.cpus().size() ? OptionalInt.of(cpu) : OptionalInt.empty();
        } catch (Exception e) {
            return OptionalInt.empty();
        }
    }

    static AddressSpace userSpace(Program p, String command) throws UsageException {
        OptionalInt cpu = panicCpu(p);
        if (cpu.isEmpty()) {
            throw new UsageException(command + ": -u needs the current task: panic_cpu is not set or unreadable in this dump");
        }
        CpuState c = p.cpus().get(cpu.getAsInt());
        if (c.cr3().isEmpty()) {
            throw new UsageException(command + ": -u needs CPU " + cpu.getAsInt()
                    + "'s page tables: this dump has no QEMU CPU note with CR3 (reading them through the task's mm needs task support)");
        }
        // CR3 bits 0..11 are the PCID, bit 63 "no flush" (Intel SDM 4.10.1): not part of the address.
        return p.userSpace(c.cr3().getAsLong() & 0x000f_ffff_ffff_f000L);
    }
}
