package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import dev.kdive.types.TypeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs crash-style command lines against one program: {@code kdive DUMP -c 'sys; rd -a linux_banner'}
 * or line by line from standard input. With JSON on, each command prints one JSON object per line:
 * {@code {"command": "...", "result": ...}} or {@code {"command": "...", "error": "..."}}.
 */
public final class Shell {
    private final Program program;
    private final PrintWriter out;
    private final boolean json;
    private final Map<String, ShellCommand> commands = new LinkedHashMap<>();
    private int failures;
    private final Session session;
    private boolean debug;

    public Shell(Program program, PrintWriter out, boolean json) {
        this(program, out, json, List.of(), List.of());
    }

    /**
     * @param sourceDirs kernel source trees {@code list} reads lines from (--src)
     * @param moduleDirs where module .ko files with DWARF are found by name (--modules)
     */
    public Shell(Program program, PrintWriter out, boolean json, List<java.nio.file.Path> sourceDirs,
                 List<java.nio.file.Path> moduleDirs) {
        this(program, out, json, new Session(), sourceDirs, moduleDirs);
    }

    private Shell(Program program, PrintWriter out, boolean json, Session session, List<java.nio.file.Path> sourceDirs,
                  List<java.nio.file.Path> moduleDirs) {
        this(program, out, json, session, List.of(new SysCommand(), new RdCommand(session), new VtopCommand(session), new PtovCommand(), new SymCommand(),
                new StructCommand(false), new StructCommand(true), new WhatisCommand(), new ModCommand(), new ListCommand(sourceDirs, moduleDirs),
                new PCommand(), new PtypeCommand(), new LogCommand(), new PsCommand(), new FilesCommand(), new TaskCommand(session), new VmCommand(), new SetCommand(session), new BtCommand(session), new KmemCommand(), new ForeachCommand(), new DisCommand(), new AnalyzeCommand()));
    }

    /** A shell with the given commands (tests: commands that fail in the ways real ones can). */
    Shell(Program program, PrintWriter out, boolean json, List<ShellCommand> commands) {
        this(program, out, json, new Session(), commands);
    }

    private Shell(Program program, PrintWriter out, boolean json, Session session, List<ShellCommand> commands) {
        this.session = session;
        this.program = program;
        this.out = out;
        this.json = json;
        for (ShellCommand c : commands) {
            this.commands.put(c.name(), c);
        }
    }

    /** Prints the whole Java stack trace of an internal error on standard error (--debug). */
    public Shell debug(boolean on) {
        this.debug = on;
        return this;
    }

    /** {@return how many commands could not be run (unknown, bad arguments, internal errors)} */
    public int failures() {
        return failures;
    }

    /** Runs every command of a {@code ;}-separated line. */
    public void runLine(String line) {
        for (String cmd : line.split("[;\n]")) {
            if (!cmd.isBlank()) {
                run(cmd.strip());
                out.flush(); // what one command printed survives whatever the next one does
            }
        }
    }

    /** Reads command lines until end of input or {@code q}/{@code quit}/{@code exit}. */
    public void runInteractive(BufferedReader in, boolean prompt) throws IOException {
        while (true) {
            if (prompt) {
                out.print("kdive> ");
                out.flush();
            }
            String line = in.readLine();
            if (line == null || List.of("q", "quit", "exit").contains(line.strip())) {
                return;
            }
            runLine(line);
        }
    }

    private void run(String command) {
        List<String> words = words(command);
        String name = words.getFirst();
        try {
            Output result;
            if (name.equals("help")) {
                result = help();
            } else {
                ShellCommand c = commands.get(name);
                if (c == null) {
                    throw new UsageException(name + ": command not found (type help for the commands kdive has)");
                }
                result = c.run(program, words.subList(1, words.size()));
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("command", command);
                m.put("result", result.json());
                out.println(Json.mapper().writeValueAsString(m)); // Jackson loads only when JSON is asked for
            } else {
                result.text(out);
            }
        } catch (UsageException e) {
            fail(command, e.getMessage());
        } catch (TypeException e) { // malformed types, or a layout this kernel does not have
            fail(command, name + ": " + e.getMessage());
        } catch (IOException e) {
            fail(command, name + ": " + e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            // A bug of kdive's own, not of the dump: this command ends, the session goes on.
            fail(command, name + ": internal error: " + internalError(e));
            if (debug) {
                e.printStackTrace(System.err);
            }
        }
    }

    /** {@return the exception's class and message and the innermost kdive frame it came from} */
    static String internalError(Throwable e) {
        StringBuilder b = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null) {
            b.append(": ").append(e.getMessage());
        }
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().startsWith("dev.kdive.")) {
                b.append(" (at ").append(f).append(')');
                break;
            }
        }
        return b.append("; --debug prints the whole trace").toString();
    }

    private void fail(String command, String message) {
        failures++;
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("command", command);
            m.put("error", message);
            try {
                out.println(Json.mapper().writeValueAsString(m)); // Jackson loads only when JSON is asked for
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        } else {
            out.println(message);
        }
    }

    private Output help() {
        List<String> lines = new ArrayList<>();
        commands.values().forEach(c -> lines.add(c.synopsis()));
        return new Output() {
            @Override
            public void text(PrintWriter o) {
                lines.forEach(o::println);
            }

            @Override
            public Object json() {
                return lines;
            }
        };
    }

    /** Splits a command on blanks; single or double quotes keep blanks inside a word. */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : command.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
