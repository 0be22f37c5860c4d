package dev.kdive.cli.shell;

import dev.kdive.dump.DumpFormatException;
import dev.kdive.dump.MemoryFault;
import dev.kdive.kernel.Backtrace;
import dev.kdive.kernel.Stacks;
import java.io.IOException;
import dev.kdive.kernel.Task;
import dev.kdive.kernel.Tasks;
import dev.kdive.program.Program;
import dev.kdive.program.UnknownSymbolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code foreach [PID|COMM|STATE ...] bt [-l] [-f]}: crash's foreach with the bt command, over every
 * task (idle tasks included) or those named by pid, command name or ps state (RU, IN, UN, ...).
 * A task whose stack cannot be unwound says so and the loop goes on.
 */
final class ForeachCommand implements ShellCommand {
    private static final Set<String> STATES = Set.of("RU", "IN", "UN", "ST", "TR", "ZO", "DE", "SW", "PA", "WA", "ID", "NE");

    @Override
    public String name() {
        return "foreach";
    }

    @Override
    public String synopsis() {
        return "foreach [PID|COMM|STATE..] bt [-l] [-f] | files | vm | task | sig   a command for every task (or the named ones)";
    }

    @Override
    public String example() {
        return "foreach RU bt            the stack of every running task";
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        int at = raw.indexOf("bt");
        for (String other : List.of("files", "vm", "task", "sig")) {
            int i = raw.indexOf(other);
            if (i >= 0 && (at < 0 || i < at)) {
                return each(p, raw.subList(0, i), other, raw.subList(i + 1, raw.size()));
            }
        }
        if (at < 0) {
            throw new UsageException("foreach: give a command: bt [-l] [-f], files, vm, task or sig");
        }
        List<String> selectors = raw.subList(0, at);
        Stacks.Detail detail = BtCommand.detail("foreach bt", p, new Args("foreach bt", raw.subList(at + 1, raw.size()), Set.of("-l", "-f"), Set.of()));
        List<Backtrace> traces = new ArrayList<>();
        try {
            List<Task> tasks = new ArrayList<>(Tasks.idle(p));
            tasks.addAll(Tasks.walk(p).tasks().stream().filter(t -> t.pid() != 0).toList());
            for (Task t : tasks) {
                if (selected(t, selectors)) {
                    traces.add(Stacks.backtrace(p, t, detail));
                }
            }
        } catch (MemoryFault f) {
            return Text.of("foreach: " + f.getMessage());
        } catch (UnknownSymbolException | IOException | DumpFormatException e) {
            throw new UsageException("foreach: " + e.getMessage());
        }
        if (traces.isEmpty()) {
            throw new UsageException("foreach: no task matches " + String.join(" ", selectors));
        }
        return new BtCommand.Backtraces(traces);
    }

    /** Each selected task's output of one command, one after the other, as crash's foreach prints them. */
    record Each(List<Output> outputs) implements Output {
        @Override
        public void text(java.io.PrintWriter out) {
            for (int i = 0; i < outputs.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                outputs.get(i).text(out);
            }
        }

        @Override
        public Object json() {
            return outputs.stream().map(Output::json).toList();
        }
    }

    private static Output each(Program p, List<String> selectors, String command, List<String> flags) throws UsageException {
        if (!flags.isEmpty()) {
            throw new UsageException("foreach " + command + ": takes no options here");
        }
        List<Output> outputs = new ArrayList<>();
        try {
            List<Task> tasks = new ArrayList<>(Tasks.idle(p));
            tasks.addAll(Tasks.walk(p).tasks().stream().filter(t -> t.pid() != 0).toList());
            for (Task t : tasks) {
                if (!selected(t, selectors)) {
                    continue;
                }
                try {
                    outputs.add(switch (command) {
                        case "files" -> new FilesCommand.Listing(dev.kdive.kernel.OpenFiles.of(p, t));
                        case "vm" -> new VmCommand.Listing(t, dev.kdive.kernel.MemoryMap.of(p, t));
                        case "task" -> TaskCommand.of(p, t);
                        default -> new SigCommand.States(List.of(dev.kdive.kernel.Signals.of(p, t)));
                    });
                } catch (MemoryFault f) { // this task's data is unreadable: say so, go on with the next
                    outputs.add(Text.of(Text.taskHeader(t) + "\n"
                            + "foreach " + command + ": " + f.getMessage()));
                }
            }
        } catch (MemoryFault | UnknownSymbolException e) {
            return Text.of("foreach: " + e.getMessage());
        }
        if (outputs.isEmpty()) {
            throw new UsageException("foreach: no task matches " + String.join(" ", selectors));
        }
        return new Each(outputs);
    }

    private static boolean selected(Task t, List<String> selectors) {
        if (selectors.isEmpty()) {
            return true;
        }
        for (String s : selectors) {
            if (s.chars().allMatch(Character::isDigit) ? t.pid() == Integer.parseInt(s)
                    : STATES.contains(s) ? t.stateName().equals(s) : t.comm().equals(s)) {
                return true;
            }
        }
        return false;
    }
}
