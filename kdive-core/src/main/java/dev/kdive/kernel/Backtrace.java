package dev.kdive.kernel;

import dev.kdive.value.Hex;
import java.util.List;
import java.util.Map;

/**
 * One task's kernel stack, unwound with ORC: what crash's {@code bt} prints and drgn's
 * {@code stack_trace()} returns, as a value. Renderers (crash's text, JSON) read only this.
 *
 * @param task    the task
 * @param frames  innermost first; an exception frame's registers sit on the frame they led to, and
 *                a user-mode frame (the registers the kernel was entered with) ends the list
 * @param end     why the walk stopped: "user mode", "end of the kernel stack", or what broke it
 *                (a read fault, a missing ORC entry, the frame limit)
 * @param failure why no walk was possible at all (the task's saved frame is unreadable); null when
 *                there was a walk
 */
public record Backtrace(Task task, List<Frame> frames, String end, String failure) {
    public Backtrace {
        frames = List.copyOf(frames);
    }

    /** {@return whether the walk reached the stack's natural end: user mode or the kernel's END entry} */
    public boolean complete() {
        return failure == null && (end.equals("user mode") || end.equals("end of the kernel stack"));
    }

    /**
     * One frame.
     *
     * @param level              crash's {@code #N}; -1 for the user-mode frame, which has no number
     * @param sp                 the stack slot crash shows: the return address's slot, or the stack
     *                           pointer of an exact (first or interrupted) frame
     * @param ip                 the code address: exact, or a return address
     * @param exact              whether {@code ip} is the faulting/current instruction rather than a
     *                           return address (which belongs to the call one byte before it)
     * @param function           the function containing the call site; null when no symbol covers it
     * @param offset             {@code ip} minus the function's start
     * @param module             the module whose memory holds {@code ip}; null for the kernel image
     * @param exceptionRegisters the pt_regs of an exception or interrupt that led to this frame; null
     *                           when it was reached by a return
     * @param source             file and line of the call site (bt -l); null when not asked or unknown
     * @param sourceProblem      why the line could not be found, when asked for; else null
     * @param stack              the stack words between this frame's slot and the next frame's (bt -f);
     *                           null when not asked
     * @param stackFault         the read that ended {@code stack} early; else null
     */
    public record Frame(int level, @Hex long sp, @Hex long ip, boolean exact, String function, long offset, String module,
                        @Hex Map<String, Long> exceptionRegisters, SourceLine source, String sourceProblem,
                        @Hex List<Long> stack, String stackFault) {
        /** {@return whether this is the user-mode frame the kernel was entered from} */
        public boolean userMode() {
            return ip >= 0;
        }

        /** {@return the address to name: ip, or ip - 1 for a return address} */
        public long callSite() {
            return exact ? ip : ip - 1;
        }
    }

    /** A source position: {@code file} as the DWARF line table names it. */
    public record SourceLine(String file, int line) {}
}
