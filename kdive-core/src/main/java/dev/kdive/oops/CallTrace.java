package dev.kdive.oops;

import java.util.List;

/**
 * A stack as the kernel printed it (arch/x86/kernel/dumpstack.c show_trace_log_lvl): the frames in
 * order, innermost first, each with the stack it is on ({@code <IRQ>}, {@code <TASK>}...) and
 * whether the unwinder vouched for it. KASAN's "Allocated by task N:" and "Freed by task N:"
 * stacks are traces too, labelled so.
 *
 * @param label "Call Trace", "Allocated by task 123", "Freed by task 123", ...
 */
public record CallTrace(String label, List<Frame> frames) {
    public CallTrace {
        frames = List.copyOf(frames);
    }

    /** {@return the frames the unwinder vouched for (printed without "? ")} */
    public List<Frame> reliable() {
        return frames.stream().filter(Frame::reliable).toList();
    }

    /** {@return the frames printed with "? ": return addresses found on the stack, maybe stale} */
    public List<Frame> unreliable() {
        return frames.stream().filter(f -> !f.reliable()).toList();
    }
}
