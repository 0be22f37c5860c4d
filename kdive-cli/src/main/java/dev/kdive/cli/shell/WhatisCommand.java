package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import dev.kdive.types.Declarations;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import java.util.List;
import java.util.Optional;

/** {@code whatis}: what a type name stands for, or a struct's size; gdb's and crash's wording. */
final class WhatisCommand implements ShellCommand {
    @Override
    public String name() {
        return "whatis";
    }

    @Override
    public String synopsis() {
        return "whatis TYPE               a typedef's meaning, a struct's or union's size";
    }

    @Override
    public Output run(Program p, List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("whatis: give a type name");
        }
        String name = String.join(" ", args);
        try {
            Optional<Type> t = p.types().lookup(name);
            if (t.isEmpty()) {
                throw new UsageException("whatis: no type named " + name);
            }
            return switch (t.get()) {
                case Type.Struct s -> Text.of(s.keyword() + " " + s.name() + " {...}\nSIZE: " + s.size());
                case Type.Typedef d -> Text.of("typedef " + Declarations.declaration(d.target().get(), d.name()) + ";");
                case Type.Enum e -> Text.of("enum " + e.name() + " {...}\nSIZE: " + e.size());
                default -> Text.of("type = " + Declarations.name(t.get()));
            };
        } catch (TypeException e) {
            throw new UsageException("whatis: " + e.getMessage());
        }
    }
}
