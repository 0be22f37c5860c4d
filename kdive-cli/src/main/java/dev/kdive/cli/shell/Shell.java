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
import java.util.Optional;

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
    private boolean childOutputToTerminal;
    private boolean interrupted;

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
                new PCommand(), new PtypeCommand(), new LogCommand(), new PsCommand(), new FilesCommand(), new TaskCommand(session), new VmCommand(), new SetCommand(session), new BtCommand(session), new KmemCommand(), new ForeachCommand(), new DisCommand(), new AnalyzeCommand(),
                new EvalCommand(), new AsciiCommand(), new PageNumberCommand(true), new PageNumberCommand(false), new PteCommand(), new TreeCommand(), new RunqCommand(), new MountCommand(), new IrqCommand(), new TimerCommand(), new DevCommand(), new NetCommand(), new MachCommand(), new SearchCommand(session), new SigCommand(), new WaitqCommand(), new StarCommand(), new AliasCommand(session), new FuserCommand(), new IpcsCommand(), new SwapCommand(), new BpfCommand(), new SbitmapqCommand()));
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
        this.commands.putIfAbsent("gdb", new GdbCommand(this.commands));
        this.commands.putIfAbsent("repeat", new RepeatCommand(line -> {
            try {
                run(Invocation.of(line));
            } catch (UsageException e) {
                fail(line, e.getMessage());
            }
        }));
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

    /**
     * Runs every command of a line: {@code ;}-separated, each with crash's {@code | pipeline},
     * {@code > file} and {@code >> file}, or a {@code !shell command}.
     */
    public void runLine(String line) {
        for (String part : Invocation.split(line)) {
            try {
                run(Invocation.of(part));
            } catch (UsageException e) { // this command's syntax: the others on the line still run
                fail(part, e.getMessage());
            }
            out.flush(); // what one command printed survives whatever the next one does
            if (interrupted) { // Ctrl-C ends the line, not only its current command
                interrupted = false;
                return;
            }
        }
    }

    /** Reads command lines until end of input or {@code q}/{@code quit}/{@code exit}: stdin that is not a terminal, or a -i file. */
    public void runInteractive(BufferedReader in, boolean prompt) throws IOException {
        while (true) {
            if (prompt) {
                out.print("kdive> ");
                out.flush();
            }
            String line = in.readLine();
            if (line == null || isQuit(line)) {
                return;
            }
            runLine(line);
        }
    }

    /** {@return whether the line ends the session, as crash's q, quit and exit do} */
    public static boolean isQuit(String line) {
        return List.of("q", "quit", "exit").contains(line.strip());
    }

    /** The commands, by name, in help's order (completion offers these). */
    Map<String, ShellCommand> commands() {
        return java.util.Collections.unmodifiableMap(commands);
    }

    /**
     * Where a pipeline's or a {@code !command}'s output goes: copied into this shell's writer (the
     * default, what tests and scripts read), or straight to the terminal, so that {@code | less} pages.
     */
    public Shell childOutputToTerminal(boolean on) {
        this.childOutputToTerminal = on;
        return this;
    }

    private void run(Invocation inv) {
        String command = inv.command();
        List<String> words = new ArrayList<>(words(command));
        if (words.getFirst().length() > 1 && words.getFirst().startsWith("*")) { // crash's *task_struct: the star and a name in one word
            words.set(0, words.getFirst().substring(1));
            words.addFirst("*");
        }
        if (!commands.containsKey(words.getFirst()) && !words.getFirst().equals("help")) { // an alias stands for its command's words
            Optional<String> alias = session.alias(words.getFirst());
            if (alias.isPresent()) {
                List<String> expanded = new ArrayList<>(words(alias.get()));
                expanded.addAll(words.subList(1, words.size()));
                words = expanded;
                command = String.join(" ", words);
            }
        }
        String name = words.getFirst();
        try {
            if (inv.sink() instanceof Invocation.Sink.Shell sh) {
                runShell(command, sh.command(), null);
                return;
            }
            Output result;
            if (name.equals("help")) {
                result = help(words.subList(1, words.size()));
            } else {
                ShellCommand c = commands.get(name);
                if (c == null) {
                    throw new UsageException(name + ": command not found (type help for the commands kdive has)");
                }
                result = c.run(program, words.subList(1, words.size()));
            }
            switch (inv.sink()) {
                case Invocation.Sink.Screen s -> render(command, result, out);
                case Invocation.Sink.File f -> {
                    try (PrintWriter w = new PrintWriter(java.nio.file.Files.newBufferedWriter(f.path(), java.nio.charset.StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                            f.append() ? java.nio.file.StandardOpenOption.APPEND : java.nio.file.StandardOpenOption.TRUNCATE_EXISTING))) {
                        render(command, result, w);
                        if (w.checkError()) {
                            throw new IOException("could not write " + f.path());
                        }
                    } catch (IOException e) {
                        throw new IOException(f.path() + ": cannot write: " + reason(e), e);
                    }
                }
                case Invocation.Sink.Pipe pipe -> {
                    java.io.StringWriter text = new java.io.StringWriter();
                    try (PrintWriter w = new PrintWriter(text)) {
                        render(command, result, w);
                    }
                    runShell(command, pipe.pipeline(), text.toString());
                }
                case Invocation.Sink.Shell sh -> throw new IllegalStateException("run above");
            }
        } catch (UsageException e) {
            fail(command, e.getMessage());
        } catch (java.util.concurrent.CancellationException e) { // Ctrl-C: the command ends at its next page read
            Thread.interrupted(); // handled: the message below, and the next line, may print
            interrupted = true;
            fail(command, name + ": interrupted");
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

    private void render(String command, Output result, PrintWriter to) throws IOException {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("command", command);
            m.put("result", result.json());
            to.println(Json.mapper().writeValueAsString(m)); // Jackson loads only when JSON is asked for
        } else {
            result.text(to);
        }
    }

    private static String reason(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> "no such directory";
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage();
        };
    }

    /**
     * Runs {@code /bin/sh -c script}, feeding it {@code input} (a pipeline) or nothing ({@code !command});
     * its output and errors go where {@link #childOutputToTerminal} says. Its exit status is its own:
     * {@code grep} finding nothing is not a kdive failure.
     */
    private void runShell(String command, String script, String input) {
        out.print(""); // output starts here: the prompt's "still running" line on stderr gives way to the child's
        out.flush();
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true);
        if (childOutputToTerminal) {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        }
        if (input == null) {
            pb.redirectInput(childOutputToTerminal ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process proc = null;
        try {
            proc = pb.start();
            Process started = proc;
            Thread feeder = null;
            if (input != null) { // fed from another thread: a pipeline that prints as it reads cannot block us
                feeder = Thread.ofVirtual().start(() -> {
                    try (var w = started.getOutputStream()) {
                        w.write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        // the pipeline stopped reading (head -5): what it took is what it wanted
                    }
                });
            }
            if (!childOutputToTerminal) {
                try (var r = new java.io.InputStreamReader(proc.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)) {
                    r.transferTo(out);
                }
            }
            proc.waitFor();
            if (feeder != null) {
                feeder.join();
            }
        } catch (IOException e) {
            fail(command, "/bin/sh: " + e.getMessage());
        } catch (InterruptedException | java.util.concurrent.CancellationException e) { // Ctrl-C while the pipeline runs
            Thread.interrupted();
            if (proc != null) {
                proc.destroy();
            }
            interrupted = true;
            fail(command, words(command).getFirst() + ": interrupted");
        } finally {
            out.flush();
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

    /** {@code help}: every command's synopsis; {@code help CMD}: its usage and an example, as crash's help pages give. */
    private Output help(List<String> args) throws UsageException {
        List<String> lines = new ArrayList<>();
        if (args.isEmpty()) {
            commands.values().forEach(c -> lines.add(c.synopsis()));
            lines.add("");
            lines.add("help CMD for one command's usage and an example; CMD | shell pipeline, CMD > file, CMD >> file,");
            lines.add("!shell command; q, quit or exit ends the session");
        } else {
            for (String name : args) {
                ShellCommand c = commands.get(name);
                if (c == null) {
                    throw new UsageException("help: no command " + name + " (help lists them)");
                }
                lines.add("usage:   " + c.synopsis());
                lines.add("example: " + c.example());
            }
        }
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
