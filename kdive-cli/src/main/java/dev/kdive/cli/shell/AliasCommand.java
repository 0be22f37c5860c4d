package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.util.ArrayList;
import java.util.List;

/** {@code alias [NAME [COMMAND…]]}: lists the aliases (crash's built-in ones kdive can run, and the session's), shows one, or defines one. */
final class AliasCommand implements ShellCommand {
    private final Session session;

    AliasCommand(Session session) {
        this.session = session;
    }

    @Override
    public String name() {
        return "alias";
    }

    @Override
    public String synopsis() {
        return "alias [NAME [COMMAND…]]    list aliases, or make NAME stand for COMMAND (its first word; the rest of the line follows)";
    }

    @Override
    public String example() {
        return "alias kk kmem -s           then kk kmalloc-64 runs kmem -s kmalloc-64";
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.size() >= 2) {
            if (args.getFirst().startsWith("-") || args.getFirst().contains(" ")) {
                throw new UsageException("alias: not an alias name: " + args.getFirst());
            }
            session.alias(args.getFirst(), String.join(" ", args.subList(1, args.size())));
        }
        List<String> lines = new ArrayList<>();
        lines.add("ORIGIN   ALIAS    COMMAND");
        session.aliases().forEach((name, a) -> {
            if (args.isEmpty() || args.getFirst().equals(name)) {
                lines.add(String.format("%-8s %-8s %s ", a[0], name, a[1]));
            }
        });
        if (args.size() == 1 && lines.size() == 1) {
            throw new UsageException("alias: " + args.getFirst() + ": no such alias");
        }
        return new Text(lines);
    }
}
