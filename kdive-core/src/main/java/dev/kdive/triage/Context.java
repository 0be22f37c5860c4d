package dev.kdive.triage;

import java.util.List;

/**
 * What surrounds the crash.
 *
 * @param release          the kernel release
 * @param hardware         the "Hardware name:" the oops printed; null when not printed
 * @param taint            the taint letters ("G OE" as printed), null when untainted or not printed
 * @param taintMeaning     each taint flag set, in words
 * @param modulesOnStack   modules with code on the crashing stack (a tainting module there weighs on the verdict)
 * @param blockedTasks     tasks in D state (uninterruptible), with where they wait
 * @param lockedCpus       CPUs the soft- and hard-lockup watchdogs reported stuck, from every such report in the log
 * @param memory           the memory summary ({@code kmem -i}) and whether it shows pressure; null from a log alone
 * @param platform         platform and firmware warnings in the log
 * @param lastLines        the kernel log's last lines before the crash report
 * @param report           the crash report's own lines, as printed
 */
public record Context(String release, String hardware, String taint, List<String> taintMeaning, List<String> modulesOnStack,
                      List<BlockedTask> blockedTasks, List<LockedCpu> lockedCpus, Memory memory, List<PlatformHint> platform,
                      List<String> lastLines, List<String> report) {
    public Context {
        report = List.copyOf(report);
        platform = List.copyOf(platform);
        taintMeaning = List.copyOf(taintMeaning);
        modulesOnStack = List.copyOf(modulesOnStack);
        blockedTasks = List.copyOf(blockedTasks);
        lockedCpus = List.copyOf(lockedCpus);
        lastLines = List.copyOf(lastLines);
    }

    /** A task in uninterruptible sleep, and the first frame past the scheduler: where it waits. */
    public record BlockedTask(int pid, String comm, String waitsIn, List<String> stack) {}

    /**
     * A CPU a lockup watchdog reported (kernel/watchdog.c: "soft lockup - CPU#N stuck for Ns!",
     * "Watchdog detected hard LOCKUP on cpu N").
     *
     * @param seconds  how long it was stuck, when the report says (soft lockups)
     * @param task     "comm:pid" of the task it ran, when printed
     * @param spinning the function it was spinning in: the report's culprit
     * @param line     the report's line in the log
     */
    public record LockedCpu(int cpu, String kind, Integer seconds, String task, String spinning, int line) {}

    /**
     * The memory summary crash's {@code kmem -i} gives, in bytes, and what in it is pressure.
     *
     * @param pressure what shows memory pressure (little free memory, swap nearly full, more committed
     *                 than the commit limit), empty when nothing does
     */
    public record Memory(long total, long free, long slab, long cached, long swapTotal, long swapUsed, long committed,
                         long commitLimit, List<String> pressure) {
        public Memory {
            pressure = List.copyOf(pressure);
        }
    }
}
