package dev.kdive.kernel;

import dev.kdive.dump.MemoryFault;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.types.Type;
import dev.kdive.value.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * A task's signal state as crash's {@code sig} shows it (include/linux/sched/signal.h): the thread
 * group's dispositions ({@code sighand->action[]}, one {@code k_sigaction} per signal), the task's
 * blocked and pending sets and queue ({@code task->pending}), and the group's shared ones
 * ({@code signal->shared_pending}). Sets are the first word of {@code sigset_t}: signals 1-64.
 */
public final class Signals {
    /** TIF_SIGPENDING on x86 (arch/x86/include/asm/thread_info.h). */
    private static final int TIF_SIGPENDING = 2;

    private Signals() {
    }

    /** One signal's disposition: its {@code k_sigaction}, handler (0 SIG_DFL, 1 SIG_IGN, -1 SIG_ERR), mask and flags. */
    public record Action(int signal, @Hex long address, @Hex long handler, @Hex long mask, @Hex long flags) {}

    /** A queued signal: its number and its {@code siginfo}. */
    public record Queued(int signal, @Hex long info) {}

    public record State(Task task, @Hex long signalStruct, int threads, List<Action> actions, boolean pending, @Hex long blocked,
                        @Hex long privatePending, List<Queued> privateQueue, @Hex long sharedPending, List<Queued> sharedQueue) {}

    /**
     * x86's signal numbers and names, 1-31 (arch/x86/include/uapi/asm/signal.h; a second name is an
     * alias the header defines for the same number), then the real-time signals up to _NSIG 64
     * (arch/x86/include/asm/signal.h), named from SIGRTMIN up to half-way and from SIGRTMAX after.
     */
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT/SIGIOT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD/SIGCLD", "SIGCONT", "SIGSTOP",
        "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO/SIGPOLL", "SIGPWR",
        "SIGSYS/SIGUNUSED"};
    public static final int SIGRTMIN = 32;
    public static final int NSIG = 64;

    /** {@return signal {@code n}'s name, aliases after a slash ("SIGCHLD/SIGCLD"); null outside 1.._NSIG} */
    public static String name(int n) {
        if (n < 1 || n > NSIG) {
            return null;
        }
        if (n < SIGRTMIN) {
            return NAMES[n];
        }
        int fromMin = n - SIGRTMIN;
        int toMax = NSIG - n;
        return fromMin == 0 ? "SIGRTMIN" : toMax == 0 ? "SIGRTMAX" : fromMin <= (NSIG - SIGRTMIN) / 2 ? "SIGRTMIN+" + fromMin : "SIGRTMAX-" + toMax;
    }

    /** {@return the signals a {@code sigset_t} holds (bit n-1 is signal n), each by its first name} */
    public static List<String> members(long set) {
        List<String> out = new ArrayList<>();
        for (int n = 1; n <= NSIG; n++) {
            if ((set & (1L << (n - 1))) != 0) {
                out.add(name(n).replaceFirst("/.*", ""));
            }
        }
        return out;
    }

    public static State of(Program p, Task task) throws MemoryFault {
        KernelObject t = KernelObject.at(p, "task_struct", task.address());
        long signal = t.read("signal");
        KernelObject sig = KernelObject.at(p, "signal_struct", signal);
        long sighand = t.read("sighand");
        KernelObject hand = KernelObject.at(p, "sighand_struct", sighand);
        Type.Member action = hand.member("action");
        Type.Array actions = (Type.Array) action.type().get().resolved();
        long size = actions.element().get().size();
        List<Action> out = new ArrayList<>();
        for (int i = 0; i < actions.length(); i++) {
            KernelObject k = new KernelObject(p, (Type.Struct) actions.element().get().resolved(), sighand + action.offset() + i * size);
            out.add(new Action(i + 1, k.address(), k.read("sa.sa_handler"), k.read("sa.sa_mask.sig"), k.read("sa.sa_flags")));
        }
        long tiFlags = t.read(t.struct().member("thread_info").isPresent() ? "thread_info.flags" : "flags");
        return new State(task, signal, (int) sig.read("nr_threads"), out, (tiFlags & (1L << TIF_SIGPENDING)) != 0,
                t.read("blocked.sig"), t.read("pending.signal.sig"), queue(p, t.addressOf("pending.list")),
                sig.read("shared_pending.signal.sig"), queue(p, sig.addressOf("shared_pending.list")));
    }

    private static List<Queued> queue(Program p, long head) {
        KernelObject q = KernelObject.at(p, "sigqueue", 0);
        Lists.Walk w = Lists.listForEachEntry(p, "sigpending list " + Long.toHexString(head), head, q.member("list").offset(), 4096);
        List<Queued> out = new ArrayList<>();
        for (long e : w.entries()) {
            KernelObject s = KernelObject.at(p, "sigqueue", e);
            try {
                out.add(new Queued((int) s.read("info.si_signo"), s.addressOf("info")));
            } catch (MemoryFault f) {
                out.add(new Queued(0, s.addressOf("info")));
            }
        }
        return out;
    }
}
