package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.util.List;

/**
 * crash's {@code repeat [-SECONDS] COMMAND}, which re-runs a command on a live system until Ctrl-C.
 * A dump never changes: kdive runs the command once and says that repeating it would print the same.
 */
final class RepeatCommand implements ShellCommand {
    private final java.util.function.Consumer<String> runner;

    /** @param runner runs one command line in the same shell */
    RepeatCommand(java.util.function.Consumer<String> runner) {
        this.runner = runner;
    }

    @Override
    public String name() {
        return "repeat";
    }

    @Override
    public String synopsis() {
        return "repeat [-SECONDS] COMMAND   on a dump: COMMAND once (a dump does not change, so each repeat would print the same)";
    }

    @Override
    public String example() {
        return "repeat -1 runq             runq's queues, once: a dump's queues never move";
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        List<String> rest = !args.isEmpty() && args.getFirst().matches("-\\d+") ? args.subList(1, args.size()) : args;
        if (rest.isEmpty()) {
            throw new UsageException("repeat: give a command to repeat");
        }
        runner.accept(String.join(" ", rest));
        return Text.of("repeat: a dump does not change; repeating \"" + String.join(" ", rest) + "\" would print the same, so it ran once");
    }
}
