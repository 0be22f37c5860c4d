package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.util.ArrayList;
import java.util.List;

/**
 * crash's {@code *}: {@code *NAME[.MEMBER] [ADDR]} or {@code * NAME …}, the struct or union of that
 * name, as {@code struct} or {@code union} shows it (crash's alias {@code size} too).
 */
final class StarCommand implements ShellCommand {
    private final StructCommand struct = new StructCommand(false);
    private final StructCommand union = new StructCommand(true);

    @Override
    public String name() {
        return "*";
    }

    @Override
    public String synopsis() {
        return "*NAME[.MEMBER,…] [-o] [ADDR]   a struct or union, whichever NAME is: layout or the object at ADDR";
    }

    @Override
    public String example() {
        return "*task_struct.pid,comm init_task   as struct task_struct.pid,comm init_task";
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("*: give a struct or union name: " + synopsis());
        }
        String spec = args.stream().filter(a -> !a.startsWith("-")).findFirst().orElseThrow(() -> new UsageException("*: give a name"));
        String type = spec.contains(".") ? spec.substring(0, spec.indexOf('.')) : spec;
        boolean isUnion = p.types().lookup("struct " + type).isEmpty() && p.types().lookup("union " + type).isPresent();
        return (isUnion ? union : struct).run(p, new ArrayList<>(args));
    }
}
