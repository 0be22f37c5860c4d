package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import dev.kdive.types.Declarations;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code ptype TYPE}: gdb's full type, "type = struct x { ... }" (crash passes ptype to gdb). */
final class PtypeCommand implements ShellCommand {
    @Override
    public String name() {
        return "ptype";
    }

    @Override
    public String synopsis() {
        return "ptype TYPE               the full type as gdb prints it";
    }

    @Override
    public String example() {
        return "ptype struct list_head   the type as gdb prints it";
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        String name = String.join(" ", args).strip();
        if (name.isEmpty()) {
            throw new UsageException("ptype: give a type name");
        }
        try {
            Optional<Type> t = p.types().lookup(name);
            if (t.isEmpty()) {
                throw new UsageException("ptype: no type named " + name);
            }
            Type r = t.get().resolved();
            List<String> lines = new ArrayList<>();
            List<StructCommand.Member> members = new ArrayList<>();
            if (r instanceof Type.Struct s) {
                lines.add("type = " + s.keyword() + " " + s.name() + " {");
                StructCommand.layout(s, 0, 1, false, lines, members, "");
                lines.add("}");
            } else {
                lines.add("type = " + Declarations.name(r));
            }
            return new StructCommand.Layout(lines, members, null);
        } catch (TypeException e) {
            throw new UsageException("ptype: " + e.getMessage());
        }
    }
}
