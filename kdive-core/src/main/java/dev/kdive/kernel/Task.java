package dev.kdive.kernel;

import dev.kdive.value.Hex;

/**
 * One task as {@code ps} lists it.
 *
 * @param address   the task_struct
 * @param mm        {@code task->mm}: 0 for kernel threads
 * @param state     {@code task->__state} (5.14+) or {@code task->state}
 * @param exitState {@code task->exit_state}
 * @param cpu       the CPU it last ran on
 * @param ppid      {@code task->real_parent->pid}
 */
public record Task(@Hex long address, int pid, int tgid, String comm, @Hex long mm, @Hex long activeMm, long state, long exitState,
                   int cpu, int ppid) {
    public boolean kernelThread() {
        return mm == 0;
    }

    /**
     * {@return crash's two-letter state: RU, IN, UN, ST, TR, ZO, DE, PA, ID, NE, WA} Bit values from
     * include/linux/sched.h (TASK_INTERRUPTIBLE 1, TASK_UNINTERRUPTIBLE 2, __TASK_STOPPED 4,
     * __TASK_TRACED 8, EXIT_DEAD 0x10, EXIT_ZOMBIE 0x20, TASK_PARKED 0x40, TASK_WAKING 0x200,
     * TASK_NOLOAD 0x400, TASK_NEW 0x800), unchanged since 4.14.
     */
    public String stateName() {
        if ((exitState & 0x20) != 0) {
            return "ZO";
        }
        if ((exitState & 0x10) != 0) {
            return "DE";
        }
        if (state == 0) {
            return "RU";
        }
        if ((state & 0x402) == 0x402) {
            return "ID"; // TASK_IDLE: uninterruptible but not counted in the load
        }
        if ((state & 2) != 0) {
            return "UN";
        }
        if ((state & 1) != 0) {
            return "IN";
        }
        if ((state & 4) != 0) {
            return "ST";
        }
        if ((state & 8) != 0) {
            return "TR";
        }
        if ((state & 0x40) != 0) {
            return "PA";
        }
        if ((state & 0x800) != 0) {
            return "NE";
        }
        if ((state & 0x200) != 0) {
            return "WA";
        }
        return "??";
    }
}
