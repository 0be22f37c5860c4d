package dev.kdive.cli;

import dev.kdive.kernel.Kernel;
import dev.kdive.cli.shell.Prompt;
import dev.kdive.cli.shell.Shell;
import dev.kdive.dump.DumpFormatException;
import dev.kdive.program.Program;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The kdive command line: {@code kdive DUMP [-c 'CMD; CMD'] [--json] [--vmlinux FILE]} runs
 * crash-style commands on a dump; subcommands are listed by --help; only what works is registered.
 */
@Command(name = "kdive", mixinStandardHelpOptions = true, version = "kdive 0.1.0",
        description = "Turns a Linux kernel crash (vmcore or oops log) into an answer.")
public final class Main implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DUMP",
            description = "vmcore to open: ELF, kdump-compressed (zlib, lzo, snappy, zstd) or makedumpfile flattened")
    Path dump;

    @Option(names = "-c", paramLabel = "'CMD; CMD...'",
            description = "run these crash-style commands and exit (help lists them); without -c, read commands from standard input")
    String commands;

    @Option(names = "-i", paramLabel = "FILE",
            description = "run the commands in FILE (one per line) first, then the prompt or -c, as crash -i does")
    Path inputFile;

    @Option(names = "--json", description = "print each command's result as one JSON object per line")
    boolean json;

    @Option(names = "--vmlinux", paramLabel = "FILE", description = "the matching vmlinux (symbol sizes from its .symtab); optional")
    Path vmlinux;

    @Option(names = "--debug", description = "on an internal error, print the whole Java stack trace on standard error")
    boolean debug;

    @Option(names = "--src", paramLabel = "DIR", description = "kernel source tree for list (repeatable)")
    java.util.List<Path> sources = new java.util.ArrayList<>();

    @Option(names = "--modules", paramLabel = "DIR", description = "where module .ko (or .ko.debug) files are, found by name (repeatable)")
    java.util.List<Path> moduleDirs = new java.util.ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (dump == null) {
            spec.commandLine().usage(System.out);
            return 0;
        }
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        // A terminal on both ends gets the line-editing prompt; piped stdin runs as one session.
        // The prompt is made while the dump opens: start-up is the longer of the two, not their sum.
        boolean terminal = commands == null && System.console() != null && System.console().isTerminal();
        java.util.concurrent.CompletableFuture<Prompt> opening = terminal ? java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Prompt.open(Prompt.historyFile());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }) : null;
        try (Program p = Kernel.open(dump, Optional.ofNullable(vmlinux))) {
            for (String w : p.warnings()) {
                System.err.println("kdive: " + w);
            }
            p.onProgress(message -> System.err.println("kdive: " + message));
            try (Prompt prompt = opening != null ? prompt(opening) : null) {
                if (prompt != null) {
                    out = prompt.writer();
                }
                Shell shell = new Shell(p, out, json, sources, moduleDirs).debug(debug || System.getenv("KDIVE_TRACE") != null);
                if (inputFile != null) {
                    try (BufferedReader in = java.nio.file.Files.newBufferedReader(inputFile, StandardCharsets.UTF_8)) {
                        shell.runInteractive(in, false);
                    }
                }
                if (commands != null) {
                    shell.runLine(commands);
                } else if (prompt != null) {
                    prompt.run(shell, p);
                } else {
                    shell.runInteractive(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), false);
                }
                out.flush();
                if (System.getProperty("kdive.aot.record") != null) {
                    rehearse(p);
                }
                // At the prompt a failed command was seen and answered; a script learns of one from the status.
                return shell.failures() == 0 || prompt != null ? 0 : 1;
            }
        } catch (NoSuchFileException e) {
            System.err.println("kdive: " + e.getFile() + ": no such file");
        } catch (DumpFormatException e) {
            System.err.println("kdive: " + e.getMessage());
        }
        if (opening != null) { // the dump did not open: the terminal is given back as it was
            opening.thenAccept(prompt -> {
                try {
                    prompt.close();
                } catch (IOException e) {
                    // exiting anyway
                }
            }).exceptionally(e -> null).join();
        }
        return 1;
    }

    /**
     * The launcher's recording run for the JDK's AOT cache also runs, on the same dump and printing
     * nothing, the commands a session usually starts with: the cache then holds their classes and
     * method profiles whatever command trained it (issue 17: a representative session).
     */
    private static void rehearse(Program p) {
        Shell quiet = new Shell(p, new PrintWriter(java.io.Writer.nullWriter()), false);
        for (String command : REHEARSAL) {
            quiet.runLine(command);
        }
    }

    private static final java.util.List<String> REHEARSAL = java.util.List.of("sys", "bt", "ps", "kmem -s", "log", "mod", "bt -a");

    /** {@return the prompt made beside the dump's opening; its failure is the terminal's, said in one line} */
    private static Prompt prompt(java.util.concurrent.CompletableFuture<Prompt> opening) throws IOException {
        try {
            return opening.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause()
                    : new IOException("the terminal: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The subcommands, by name, made only when asked for: picocli reads each one's annotations by reflection. */
    private static final java.util.List<String> SUBCOMMANDS = java.util.List.of("analyze", "serve", "info", "addr2line", "oops", "lab", "demo");

    /** {@return subcommand {@code name}, made now (a switch, not a map of method references: each costs a class spun at start-up)} */
    private static Object subcommand(String name) {
        return switch (name) {
            case "analyze" -> new AnalyzeCli();
            case "serve" -> new ServeCli();
            case "info" -> new InfoCommand();
            case "addr2line" -> new Addr2lineCommand();
            case "oops" -> new OopsCommand();
            case "lab" -> new LabCommand();
            case "demo" -> new DemoCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    public static void main(String[] args) {
        exit(run(args));
    }

    /** {@return the exit status of kdive run with these arguments} */
    static int run(String[] args) {
        // `kdive DUMP [-c CMD] [--vmlinux FILE]...`, the usual start, is parsed here: picocli's model of
        // the command line (its reflection over the annotations) would cost ~0.17 s of a 0.5 s start.
        Main shell = plainSession(args);
        if (shell != null) {
            try {
                return shell.call();
            } catch (IOException | RuntimeException e) {
                return failed(e, new PrintWriter(System.err, true));
            }
        }
        return commandLine(args).execute(args);
    }

    /** The options {@link #plainSession} reads (each taking a value, or a flag), as picocli names them. */
    static final java.util.Set<String> PLAIN_OPTIONS = java.util.Set.of("-c", "-i", "--vmlinux", "--src", "--modules", "--json", "--debug");

    /**
     * {@return the dump session these arguments ask for when they are spelled plainly (one DUMP, and
     * options of {@link #PLAIN_OPTIONS} as {@code -c CMD}, {@code --vmlinux FILE} or
     * {@code --vmlinux=FILE}, each single-valued one once), else null: picocli then parses them, with
     * its help, its other spellings and its errors}
     */
    static Main plainSession(String[] args) {
        Main m = new Main();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.equals("-")) {
                if (m.dump != null || (i == 0 && SUBCOMMANDS.contains(a))) {
                    return null;
                }
                m.dump = Path.of(a);
                continue;
            }
            int eq = a.startsWith("--") ? a.indexOf('=') : -1;
            String name = eq > 0 ? a.substring(0, eq) : a;
            if (!PLAIN_OPTIONS.contains(name)) {
                return null;
            }
            if (name.equals("--json") || name.equals("--debug")) {
                if (eq > 0) {
                    return null;
                }
                if (name.equals("--json")) {
                    m.json = true;
                } else {
                    m.debug = true;
                }
                continue;
            }
            String value;
            if (eq > 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                return null;
            }
            boolean repeatable = name.equals("--src") || name.equals("--modules");
            if (!seen.add(name) && !repeatable || PLAIN_OPTIONS.contains(value)) {
                return null;
            }
            try {
                switch (name) {
                    case "-c" -> m.commands = value;
                    case "-i" -> m.inputFile = Path.of(value);
                    case "--vmlinux" -> m.vmlinux = Path.of(value);
                    case "--src" -> m.sources.add(Path.of(value));
                    default -> m.moduleDirs.add(Path.of(value));
                }
            } catch (java.nio.file.InvalidPathException e) {
                return null;
            }
        }
        return m.dump != null ? m : null;
    }

    private static void exit(int status) {
        // The launcher's recording run for the prompt's AOT cache (kdive.aot.record=prompt): the prompt's
        // classes are loaded and run too, whatever this run did, so the first prompt finds them linked.
        if ("prompt".equals(System.getProperty("kdive.aot.record"))) {
            Prompt.rehearse();
        }
        // Everything is written and closed here, and kdive registers no shutdown hook: halting skips
        // the JVM's exit sequence (its Runtime.exit logger alone loads classes no run needs).
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    /** Bad input is a one-line reason and a non-zero status, never a Java stack trace. */
    private static int failed(Exception e, PrintWriter err) {
        err.println("kdive: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
        if (System.getenv("KDIVE_TRACE") != null) {
            e.printStackTrace(err); // for kdive's developers: where it came from
        }
        err.flush();
        return 1;
    }

    /** {@return the command line with every subcommand (what --help lists)} */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * {@return the command line for these arguments: only the subcommand they name (start-up pays for
     * one), none for {@code kdive DUMP ...}, all of them for help or no arguments}
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String first = args.length == 0 ? null : args[0];
        if (first != null && SUBCOMMANDS.contains(first)) {
            cl.addSubcommand(first, subcommand(first));
        } else if (first == null || first.startsWith("-")) {
            SUBCOMMANDS.forEach(name -> cl.addSubcommand(name, subcommand(name)));
        }
        cl.setExecutionExceptionHandler((e, line, parsed) -> failed(e, line.getErr()));
        return cl;
    }
}
