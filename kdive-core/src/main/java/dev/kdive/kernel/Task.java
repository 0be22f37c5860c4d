package dev.kdive.kernel;

/**
 * One task as {@code ps} lists it.
 *
 * @param address the task_struct
 * @param mm      {@code task->mm}: 0 for kernel threads
 */
public record Task(long address, int pid, int tgid, String comm, long mm, long activeMm) {
    public boolean kernelThread() {
        return mm == 0;
    }
}
