package dev.kdive.cli.shell;

import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.MemoryMap;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.types.TypeException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** {@code vm PID}: a process's memory areas in crash's layout: VMA START END FLAGS FILE. */
final class VmCommand implements ShellCommand {
    @Override
    public String name() {
        return "vm";
    }

    @Override
    public String synopsis() {
        return "vm PID                   memory areas: VMA START END FLAGS FILE (maple tree on 6.1+)";
    }

    @Override
    public String example() {
        return "vm 1                     pid 1's memory areas";
    }

    record Listing(Task task, MemoryMap.Map map) implements Output {
        @Override
        public void text(PrintWriter out) {
            out.println(Text.taskHeader(task));
            out.println("       MM               PGD");
            out.printf("%16x  %16x%n", map.mm(), map.pgd());
            out.println("      VMA           START       END     FLAGS FILE");
            for (MemoryMap.Vma v : map.vmas()) {
                out.printf("%16x %10x %10x %8x %s%n", v.address(), v.start(), v.end(), v.flags(), v.path());
            }
            map.problems().forEach(p -> out.println("vm: " + p.summary()));
        }

        @Override
        public Object json() {
            return this;
        }
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.size() != 1) {
            throw new UsageException("vm: give a PID");
        }
        int pid = (int) Args.number("vm", args.getFirst());
        try {
            Task t = Tasks.walk(p).byPid(pid).orElseThrow(() -> new UsageException("vm: no task with pid " + pid));
            return new Listing(t, MemoryMap.of(p, t));
        } catch (TypeException e) {
            throw new UsageException("vm: " + e.getMessage());
        } catch (MemoryFault f) {
            return Text.of("vm: " + f.getMessage());
        }
    }
}
