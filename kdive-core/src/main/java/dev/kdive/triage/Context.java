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
 * @param platform         platform and firmware warnings in the log
 * @param lastLines        the kernel log's last lines before the crash report
 * @param report           the crash report's own lines, as printed
 */
public record Context(String release, String hardware, String taint, List<String> taintMeaning, List<String> modulesOnStack,
                      List<BlockedTask> blockedTasks, List<PlatformHint> platform, List<String> lastLines, List<String> report) {
    public Context {
        report = List.copyOf(report);
        platform = List.copyOf(platform);
        taintMeaning = List.copyOf(taintMeaning);
        modulesOnStack = List.copyOf(modulesOnStack);
        blockedTasks = List.copyOf(blockedTasks);
        lastLines = List.copyOf(lastLines);
    }

    /** A task in uninterruptible sleep, and the first frame past the scheduler: where it waits. */
    public record BlockedTask(int pid, String comm, String waitsIn, List<String> stack) {}
}
