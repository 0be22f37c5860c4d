package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Mounts;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import java.io.PrintWriter;
import java.util.List;

/** {@code mount [-n PID]}: the mounts of a mount namespace (init's, or PID's), crash's columns. */
final class MountCommand implements ShellCommand {
    @Override
    public String name() {
        return "mount";
    }

    @Override
    public String synopsis() {
        return "mount [-n PID]             mounted file systems: MOUNT SUPERBLK TYPE DEVNAME DIRNAME (init's namespace, or PID's)";
    }

    @Override
    public String example() {
        return "mount                      every mount of init's namespace, with its superblock and type";
    }

    record Listing(Mounts.Table table) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println("     MOUNT           SUPERBLK     TYPE   DEVNAME   DIRNAME");
            for (Mounts.Mount m : table.mounts()) {
                // crash keeps DIRNAME in its column: a long TYPE shortens DEVNAME's padding, not the line's alignment
                StringBuilder line = new StringBuilder(String.format("%16x %16x %-6s %s", m.mount(), m.superBlock(), m.type(), m.devName()));
                while (line.length() < 16 + 1 + 16 + 1 + 7 + 9) {
                    line.append(' ');
                }
                out.println(line.append(' ').append(String.format("%-10s", m.dirName())));
            }
            table.findings().forEach(f -> out.println("mount: " + f.summary()));
        }

        @Override
        public Object json() {
            return table;
        }
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        Args args = new Args("mount", raw, java.util.Set.of(), java.util.Set.of("-n"));
        if (!args.operands().isEmpty()) {
            throw new UsageException("mount: a mount by address or name is not supported yet; mount alone lists them all");
        }
        try {
            Tasks.Walk tasks = Tasks.walk(p);
            int pid = (int) Args.number("mount", args.value("-n").orElse("1"));
            Task t = tasks.byPid(pid).or(() -> tasks.tasks().stream().findFirst())
                    .orElseThrow(() -> new UsageException("mount: no task with pid " + pid));
            return new Listing(Mounts.of(p, t));
        } catch (MemoryFault f) {
            return Text.of("mount: " + f.getMessage());
        }
    }
}
