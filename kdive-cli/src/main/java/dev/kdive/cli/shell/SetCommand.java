package dev.kdive.cli.shell;

import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.types.TypeException;
import java.io.PrintWriter;
import java.util.List;

/** {@code set PID}: make a task the context of later commands (rd -u, vtop -u, task), as crash's set does. */
final class SetCommand implements ShellCommand {
    private final Session session;

    SetCommand(Session session) {
        this.session = session;
    }

    @Override
    public String name() {
        return "set";
    }

    @Override
    public String synopsis() {
        return "set PID                  the task later commands use (rd -u, vtop -u, task)";
    }

    @Override
    public String example() {
        return "set 1                    make pid 1 the current task";
    }

    /** The task that is now the context, and its state as crash spells it out. */
    record Context(Task task, String state) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println(String.format("    PID: %d", task.pid()));
            out.println(String.format("COMMAND: \"%s\"", task.comm()));
            out.println(String.format("   TASK: %x", task.address()));
            out.println(String.format("    CPU: %d", task.cpu()));
            out.println("  STATE: " + state);
        }

        @Override
        public Object json() {
            return this;
        }
    }

    /** crash spells the state out after set: the kernel's TASK_* and EXIT_* names. */
    private static String longState(String shortName) {
        return switch (shortName) {
            case "RU" -> "TASK_RUNNING";
            case "IN" -> "TASK_INTERRUPTIBLE";
            case "UN" -> "TASK_UNINTERRUPTIBLE";
            case "ST" -> "TASK_STOPPED";
            case "TR" -> "TASK_TRACED";
            case "ZO" -> "EXIT_ZOMBIE";
            case "DE" -> "EXIT_DEAD";
            case "PA" -> "TASK_PARKED";
            case "ID" -> "TASK_IDLE";
            case "NE" -> "TASK_NEW";
            case "WA" -> "TASK_WAKING";
            default -> shortName;
        };
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.size() != 1) {
            throw new UsageException("set: give a PID");
        }
        int pid = (int) Args.number("set", args.getFirst());
        try {
            Task t = Tasks.walk(p).byPid(pid).orElseThrow(() -> new UsageException("set: no task with pid " + pid));
            session.pid(pid);
            return new Context(t, longState(t.stateName()));
        } catch (TypeException e) {
            throw new UsageException("set: " + e.getMessage());
        }
    }
}
