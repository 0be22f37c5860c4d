package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Stacks;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.KernelObject;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import java.io.PrintWriter;
import java.util.List;

/** {@code task [PID]}: crash's task header and the whole task_struct, gdb-style; the panicking task by default. */
final class TaskCommand implements ShellCommand {
    /**
     * crash's task: the header and the whole task_struct.
     *
     * @param text  gdb's print of the struct
     * @param type  the struct's type, and {@code bytes} its bytes: the data JSON shows member by
     *              member, worked out only when JSON is asked for
     */
    /** The task and its task_struct as data. */
    record Fields(Task task, Object fields) {}

    record TaskStruct(Task task, String text, Type type, byte[] bytes) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println(Text.taskHeader(task));
            out.println("struct task_struct " + text);
        }

        @Override
        public Object json() {
            return new Fields(task, ObjectData.of(type, bytes, 0, 0, 0));
        }
    }

    private final Session session;

    /** {@return one task's header and task_struct} */
    static TaskStruct of(Program p, Task t) throws MemoryFault {
        KernelObject o = KernelObject.at(p, "task_struct", t.address());
        byte[] bytes = o.bytes(1 << 24);
        return new TaskStruct(t, new dev.kdive.program.GdbFormat(p.kernel()).format(o.type(), bytes, 0, 0, 0, 0), o.type(), bytes);
    }

    TaskCommand(Session session) {
        this.session = session;
    }

    @Override
    public String name() {
        return "task";
    }

    @Override
    public String synopsis() {
        return "task [PID]               the task_struct of PID (default: the task running on the panic CPU)";
    }

    @Override
    public String example() {
        return "task 1 | grep -w pid     one member of pid 1's task_struct";
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.size() > 1) {
            throw new UsageException("task: give at most one PID");
        }
        try {
            Task t;
            if (args.isEmpty() && session.pid().isPresent()) {
                int pid = Integer.parseInt(session.pid().get());
                t = Tasks.walk(p).byPid(pid).orElseThrow(() -> new UsageException("task: no task with pid " + pid));
            } else if (args.isEmpty()) {
                t = Stacks.panicTask(p).orElseThrow(() -> new UsageException("task: panic_cpu is not set; give a PID"));
            } else {
                int pid = (int) Args.number("task", args.getFirst());
                t = Tasks.walk(p).byPid(pid).orElseThrow(() -> new UsageException("task: no task with pid " + pid));
            }
            return of(p, t);
        } catch (TypeException | UnknownSymbolException e) {
            throw new UsageException("task: " + e.getMessage());
        } catch (MemoryFault f) {
            return Text.of("task: " + f.getMessage());
        }
    }
}
