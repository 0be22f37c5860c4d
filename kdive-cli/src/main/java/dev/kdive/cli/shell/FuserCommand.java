package dev.kdive.cli.shell;

import dev.kdive.kernel.FileUsers;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.List;

/** {@code fuser PATH | ADDR}: the tasks using a file (root, cwd, an open descriptor, a mapping), crash's layout. */
final class FuserCommand implements ShellCommand {
    @Override
    public String name() {
        return "fuser";
    }

    @Override
    public String synopsis() {
        return "fuser PATH | FILE|DENTRY|INODE-ADDR   the tasks using a file: as root, cwd, an open fd or a mapping";
    }

    @Override
    public String example() {
        return "fuser /bin/lab-user        every task that has /bin/lab-user mapped (USAGE: mmap)";
    }

    record Users(FileUsers.Users users) implements Output {
        @Override
        public void text(PrintWriter out) {
            if (users.users().isEmpty()) {
                out.println("No users of " + users.file() + " found");
            } else {
                out.println(" PID   " + Text.centre("TASK", 16, false) + "  COMM             USAGE");
            }
            for (FileUsers.User u : users.users()) {
                out.printf("%5d  %16x  %-16s %s%n", u.task().pid(), u.task().address(), "\"" + u.task().comm() + "\"",
                        String.join(" ", u.uses()) + " ");
            }
            users.findings().forEach(f -> out.println("fuser: " + f.summary()));
        }

        @Override
        public Object json() {
            return users;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.size() != 1) {
            throw new UsageException("fuser: give one path (starting with /) or a file, dentry or inode address");
        }
        String a = args.getFirst();
        if (a.startsWith("/")) {
            return new Users(FileUsers.of(p, a, 0));
        }
        if (!Args.looksHex(a)) {
            throw new UsageException("fuser: not a path or an address: " + a);
        }
        return new Users(FileUsers.of(p, null, Args.address(p, "fuser", a)));
    }
}
