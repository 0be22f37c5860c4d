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
        return "foreach [PID|COMM|STATE..] bt [-l] [-f]   bt of every task (or the named ones)";
    }

    @Override
    public String example() {
        return "foreach RU bt            the stack of every running task";
    }

    @Override
    public Output run(Program p, List<String> raw) throws UsageException {
        int at = raw.indexOf("bt");
        if (at < 0) {
            throw new UsageException("foreach: only bt is supported: foreach [PID|COMM|STATE..] bt [-l] [-f]");
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
