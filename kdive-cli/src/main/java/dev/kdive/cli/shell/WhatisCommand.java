package dev.kdive.cli.shell;

import java.io.PrintWriter;

import dev.kdive.program.Program;
import dev.kdive.types.Declarations;
import dev.kdive.types.Type;
import dev.kdive.types.TypeException;
import java.util.List;
import java.util.Optional;

/** {@code whatis}: what a type name stands for, or a struct's size; gdb's and crash's wording. */
final class WhatisCommand implements ShellCommand {
    /**
     * What a type name stands for.
     *
     * @param kind        struct, union, enum, typedef or type (a base, pointer or array type)
     * @param declaration the struct/union/enum's name, a typedef's declaration, or the type's name
     */
    record Whatis(String name, String kind, long size, String declaration) implements Output {
        @Override
        public void text(PrintWriter out) {
            switch (kind) {
                case "struct", "union", "enum" -> {
                    out.println(declaration + " {...}");
                    out.println("SIZE: " + size);
                }
                case "typedef" -> out.println("typedef " + declaration + ";");
                default -> out.println("type = " + declaration);
            }
        }

        @Override
        public Object json() {
            return this;
        }
    }

    @Override
    public String name() {
        return "whatis";
    }

    @Override
    public String synopsis() {
        return "whatis TYPE               a typedef's meaning, a struct's or union's size";
    }

    @Override
    public String example() {
        return "whatis struct page       the size of struct page";
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
                case Type.Struct s -> new Whatis(name, s.keyword(), s.size(), s.keyword() + " " + s.name());
                case Type.Typedef d -> new Whatis(name, "typedef", d.size(), Declarations.declaration(d.target().get(), d.name()));
                case Type.Enum e -> new Whatis(name, "enum", e.size(), "enum " + e.name());
                default -> new Whatis(name, "type", t.get().size(), Declarations.name(t.get()));
            };
        } catch (TypeException e) {
            throw new UsageException("whatis: " + e.getMessage());
        }
    }
}
