package dev.kdive.cli.shell;

import dev.kdive.kernel.OpenFiles;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.types.TypeException;
import java.io.PrintWriter;
import java.util.List;

/** {@code files PID}: a task's root, cwd and open descriptors, in crash's layout. */
final class FilesCommand implements ShellCommand {
    @Override
    public String name() {
        return "files";
    }

    @Override
    public String synopsis() {
        return "files PID                open files: FD FILE DENTRY INODE TYPE PATH (pipes, sockets named)";
    }

    @Override
    public String example() {
        return "files 1                  what pid 1 has open";
    }

    record Listing(OpenFiles.Table table) implements Output {
        @Override
        public void text(PrintWriter out) {
            Task t = table.task();
            out.println(Text.taskHeader(t));
            out.printf("ROOT: %s    CWD: %s%n", table.root(), table.cwd());
            out.println(" FD       FILE            DENTRY           INODE       TYPE PATH");
            for (OpenFiles.Fd f : table.fds()) {
                out.printf("%3d %16x %16x %16x %-4s %s%n", f.fd(), f.file(), f.dentry(), f.inode(), f.type(), f.path());
            }
            table.problems().forEach(p -> out.println("files: " + p.summary()));
        }

        @Override
        public Object json() {
            return table;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.size() != 1) {
            throw new UsageException("files: give a PID");
        }
        int pid = (int) Args.number("files", args.getFirst());
        try {
            Task t = Tasks.walk(p).byPid(pid).orElseThrow(() -> new UsageException("files: no task with pid " + pid));
            return new Listing(OpenFiles.of(p, t));
        } catch (TypeException e) {
            throw new UsageException("files: " + e.getMessage());
        }
    }
}
