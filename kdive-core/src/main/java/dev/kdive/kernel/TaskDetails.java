package dev.kdive.kernel;

import dev.kdive.arch.AddressSpace;
import dev.kdive.dump.MemoryFault;
import dev.kdive.finding.UnreadableMemory;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What crash's {@code ps -t} and {@code ps -a} show of a task, as values: its times
 * (include/linux/sched.h {@code start_time}, {@code utime}, {@code stime}) and the arguments and
 * environment its process keeps in its own memory ({@code mm->arg_start..arg_end},
 * {@code env_start..env_end}, as /proc/PID/cmdline and environ read them).
 */
public final class TaskDetails {
    private static final int MAX_STRINGS = 1 << 20;

    private TaskDetails() {
    }

    /**
     * A task's times.
     *
     * @param startTime ns of CLOCK_MONOTONIC at fork (kernel/fork.c)
     * @param runTime   seconds from fork to the dump's uptime
     * @param utime     user time in ns ({@code task->utime}, as the kernel keeps it)
     * @param stime     system time in ns
     * @param fault     why the times could not be read; null when they were
     */
    public record Times(Task task, long startTime, long runTime, long utime, long stime, UnreadableMemory fault) {}

    /**
     * A process's arguments and environment.
     *
     * @param kernelThread a kernel thread has no user memory, so neither
     * @param arguments    null for a kernel thread or when the mm is unreadable
     * @param environment  likewise
     * @param fault        why the task's {@code mm_struct} could not be read; else null
     */
    public record Arguments(Task task, boolean kernelThread, UserStrings arguments, UserStrings environment, UnreadableMemory fault) {}

    /**
     * NUL-separated strings in user memory.
     *
     * @param strings the strings, empty ones left out; empty when the area is empty or unreadable
     * @param fault   the read that failed; else null
     */
    public record UserStrings(List<String> strings, UnreadableMemory fault) {
        public UserStrings {
            strings = List.copyOf(strings);
        }
    }

    /** {@return a task's times, its run time counted up to {@code uptimeNs}} */
    public static Times times(Program p, Task t, long uptimeNs) {
        KernelObject task = KernelObject.at(p, "task_struct", t.address());
        try {
            long start = task.read("start_time");
            return new Times(t, start, Math.max(0, uptimeNs - start) / 1_000_000_000L, task.read("utime"), task.read("stime"), null);
        } catch (MemoryFault f) {
            return new Times(t, 0, 0, 0, 0, unreadable("task_struct " + Long.toHexString(t.address()), f));
        }
    }

    /** {@return the arguments and environment a process's memory holds: its {@code mm}'s string areas, NUL-separated} */
    public static Arguments arguments(Program p, Task t) {
        if (t.mm() == 0) {
            return new Arguments(t, true, null, null, null);
        }
        try {
            KernelObject mm = KernelObject.at(p, "mm_struct", t.mm());
            AddressSpace user = p.userSpace(Tasks.pgd(p, t));
            return new Arguments(t, false, strings(user, mm.read("arg_start"), mm.read("arg_end"), "arguments of pid " + t.pid()),
                    strings(user, mm.read("env_start"), mm.read("env_end"), "environment of pid " + t.pid()), null);
        } catch (MemoryFault f) {
            return new Arguments(t, false, null, null, unreadable("mm_struct of pid " + t.pid(), f));
        }
    }

    private static UserStrings strings(AddressSpace user, long start, long end, String what) {
        long length = end - start;
        if (start == 0 || length <= 0 || length > MAX_STRINGS) {
            return new UserStrings(List.of(), null);
        }
        try {
            List<String> out = new ArrayList<>();
            for (String part : new String(user.read(start, (int) length), StandardCharsets.ISO_8859_1).split("\u0000")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
            return new UserStrings(out, null);
        } catch (MemoryFault f) {
            return new UserStrings(List.of(), unreadable(what, f));
        }
    }

    private static UnreadableMemory unreadable(String what, MemoryFault f) {
        return UnreadableMemory.of(what, f);
    }
}
