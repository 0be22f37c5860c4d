package dev.kdive.cli.shell;

import dev.kdive.arch.AddressSpace;
import dev.kdive.arch.x86_64.CpuState;
import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Stacks;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.TypeException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * crash's "current context": by default the task that was running on the CPU that panicked, or
 * the task a command names with {@code -c PID}. Its user address space is {@code mm->pgd}; when the
 * dump has no types for that, the panicking CPU's CR3 from QEMU's CPU notes.
 */
final class CurrentContext {
    private CurrentContext() {
    }

    static AddressSpace userSpace(Program p, String command, Optional<String> pid) throws UsageException {
        if (pid.isPresent()) {
            int n = (int) Args.number(command, pid.get());
            try {
                Task t = Tasks.walk(p).byPid(n).orElseThrow(() -> new UsageException(command + ": no task with pid " + n));
                return p.userSpace(Tasks.pgd(p, t));
            } catch (TypeException | MemoryFault e) {
                throw new UsageException(command + ": -c " + n + ": " + e.getMessage());
            }
        }
        OptionalInt cpu = Stacks.panicCpu(p);
        if (cpu.isEmpty()) {
            throw new UsageException(command + ": -u needs the current task: panic_cpu is not set or unreadable; name one with -c PID");
        }
        String why;
        try {
            return p.userSpace(Tasks.pgd(p, Tasks.at(p, Tasks.current(p, cpu.getAsInt()))));
        } catch (TypeException | MemoryFault | UnknownSymbolException e) {
            why = e.getMessage();
        }
        CpuState c = p.cpus().get(cpu.getAsInt());
        if (c.cr3().isEmpty()) {
            throw new UsageException(command + ": -u: the current task's mm is unreadable (" + why
                    + ") and the dump has no CR3 for CPU " + cpu.getAsInt());
        }
        // CR3 bits 0..11 are the PCID, bit 63 "no flush" (Intel SDM 4.10.1): not part of the address.
        return p.userSpace(c.cr3().getAsLong() & 0x000f_ffff_ffff_f000L);
    }
}
