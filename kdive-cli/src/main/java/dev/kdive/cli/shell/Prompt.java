package dev.kdive.cli.shell;

import dev.kdive.program.Program;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The interactive {@code kdive>} prompt on a terminal, as crash's: line editing, history kept
 * across sessions, completion ({@link Completion}), and Ctrl-C that ends the running command (its
 * thread is interrupted; every page read checks) and returns to the prompt.
 */
public final class Prompt implements AutoCloseable {
    private final Terminal terminal;
    /** Whether the running command has printed: the ticker on stderr shows only until it does. */
    private volatile boolean printed;
    private volatile boolean ticking;

    private final LineReader reader;
    private final Completer completer = new Completer();

    private Prompt(Terminal terminal, Path history) {
        this.terminal = terminal;
        boolean keepHistory = true;
        try {
            Files.createDirectories(history.getParent());
        } catch (IOException e) { // a prompt without saved history is still a prompt
            terminal.writer().println("kdive: history is not kept: cannot make " + history.getParent() + " ("
                    + (e instanceof java.nio.file.FileAlreadyExistsException ? "a file of that name is in the way" : e.getMessage()) + ")");
            keepHistory = false;
        }
        DefaultParser parser = new DefaultParser();
        parser.setEscapeChars(new char[0]); // a backslash is the kernel's or the pipeline's, never the prompt's
        this.reader = LineReaderBuilder.builder().terminal(terminal).appName("kdive").parser(parser)
                .variable(LineReader.HISTORY_FILE, keepHistory ? history : null)
                .variable(LineReader.HISTORY_SIZE, 10_000)
                .variable(LineReader.HISTORY_FILE_SIZE, 10_000)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // !cmd is a shell escape, as in crash
                .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                .completer(completer)
                .build();
    }

    /**
     * The program's readers and caches are not made for concurrent use: a command, a completion and
     * the prefetch of completion names take turns. Fair, so a command waits for one prefetch step at most.
     */
    private final java.util.concurrent.locks.ReentrantLock access = new java.util.concurrent.locks.ReentrantLock(true);

    /** TAB: the shell's {@link Completion}, once the dump is open. */
    private final class Completer implements org.jline.reader.Completer {
        private volatile Completion completion;

        @Override
        public void complete(LineReader r, org.jline.reader.ParsedLine line, List<Candidate> candidates) {
            Completion c = completion;
            if (c == null) {
                return;
            }
            access.lock();
            try {
                complete(c, line, candidates);
            } finally {
                access.unlock();
            }
        }

        private void complete(Completion c, org.jline.reader.ParsedLine line, List<Candidate> candidates) {
            List<String> before = line.words().subList(0, line.wordIndex());
            int bar = Math.max(before.lastIndexOf("|"), before.lastIndexOf(";"));
            if (bar >= 0) {
                before = before.subList(bar + 1, before.size());
            }
            boolean whole = Completion.endsWord(before);
            for (String s : c.candidates(before, line.word().substring(0, line.wordCursor()))) {
                candidates.add(new Candidate(s, s, null, null, null, null, whole));
            }
        }
    }

    /**
     * {@return a prompt on this process's terminal, with its line reader and history; meant to be
     * made while the dump opens (both take a few hundred milliseconds on a cold JVM)}
     */
    public static Prompt open(Path history) throws IOException {
        // JLine's own warnings (a signal it could not pass on) are not the user's business.
        java.util.logging.Logger.getLogger("org.jline").setLevel(java.util.logging.Level.OFF);
        // JNI first: its native calls are linked when the library loads, where FFM spins a downcall
        // handle per function at every start (~0.2 s measured); FFM where the library cannot load
        // (a noexec temporary folder). No exec provider: asking it whether stdout is a tty runs
        // test(1). No grapheme-cluster probe: it queries the terminal and waits for the answers
        // (~0.1 s), for emoji sequences that kernel names and commands do not hold.
        return new Prompt(TerminalBuilder.builder().system(true).providers("jni,ffm").exec(false).graphemeCluster(false)
                .nativeSignals(true).build(), history);
    }

    /**
     * {@return the writer commands print to: the terminal's, and one that Ctrl-C stops too, since a
     * command may spend its time printing (a long {@code rd}) after it has read what it prints}
     */
    public PrintWriter writer() {
        return new PrintWriter(terminal.writer()) {
            private void check() {
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.util.concurrent.CancellationException("interrupted");
                }
                if (!printed) {
                    printed = true; // the ticker stops here, and its line is cleared for the output
                    if (ticking) {
                        System.err.print("\r\033[K");
                        System.err.flush();
                        ticking = false;
                    }
                }
            }

            @Override
            public void write(int c) {
                check();
                super.write(c);
            }

            @Override
            public void write(char[] buf, int off, int len) {
                check();
                super.write(buf, off, len);
            }

            @Override
            public void write(String s, int off, int len) {
                check();
                super.write(s, off, len);
            }
        };
    }

    /**
     * Runs a prompt once on an in-memory terminal, reading {@code sys} after a TAB, with the JNI
     * provider's classes initialised: what the launcher's AOT recording run needs to see for the
     * JDK to keep JLine's classes, and their profiles, in the cache. Never fails the run it ends.
     */
    public static void rehearse() {
        java.util.logging.Logger.getLogger("org.jline").setLevel(java.util.logging.Level.OFF);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("kdive-rehearsal");
            var in = new java.io.ByteArrayInputStream("s\tys\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (Terminal t = TerminalBuilder.builder().system(false).type("xterm-256color").streams(in, java.io.OutputStream.nullOutputStream())
                    .build()) {
                new Prompt(t, dir.resolve("history")).reader.readLine("kdive> ");
            }
            // isatty(3) on standard output: the provider's native library is loaded, as a real start loads it
            org.jline.terminal.spi.TerminalProvider.load("jni").isSystemStream(org.jline.terminal.spi.SystemStream.Output);
        } catch (IOException | RuntimeException | LinkageError e) {
            // a rehearsal that cannot run leaves a cache without the prompt: slower, not wrong
        } finally {
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException e) {
                    // a temporary folder left behind
                }
            }
        }
    }

    /** {@return where history is kept: {@code ~/.cache/kdive/history}, or under XDG_CACHE_HOME} */
    public static Path historyFile() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("kdive").resolve("history");
    }

    /** Reads and runs lines until {@code q}, {@code quit}, {@code exit} or Ctrl-D. */
    public void run(Shell shell, Program program) {
        Completion completion = new Completion(program, shell.commands());
        completer.completion = completion;
        // The names a first TAB needs (symbols, types, tasks) are read while the user types, one
        // source per turn of the lock, so that TAB answers from sorted arrays.
        Thread prefetch = Thread.ofPlatform().daemon().name("kdive completion names").unstarted(() -> {
            for (Runnable step : completion.prefetchSteps()) {
                access.lock();
                try {
                    step.run();
                } catch (dev.kdive.types.TypeException e) {
                    // a source this dump lacks: the TAB that needs it says nothing, the command says why
                } finally {
                    access.unlock();
                }
            }
        });
        prefetch.setPriority(Thread.MIN_PRIORITY);
        prefetch.start();
        shell.childOutputToTerminal(true);
        try {
            while (true) {
                String line;
                try {
                    line = reader.readLine("kdive> ");
                } catch (UserInterruptException e) { // Ctrl-C at the prompt: a new line, as bash does
                    continue;
                } catch (EndOfFileException e) { // Ctrl-D
                    break;
                }
                if (Shell.isQuit(line)) {
                    break;
                }
                if (!line.isBlank()) {
                    runInterruptibly(shell, line);
                }
            }
        } finally {
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                terminal.writer().println("kdive: history not saved: " + e.getMessage());
            }
        }
    }

    /** Runs one line on its own thread; Ctrl-C meanwhile interrupts that thread, and the prompt comes back. */
    private void runInterruptibly(Shell shell, String line) {
        Thread worker = Thread.ofPlatform().name("kdive command").unstarted(() -> {
            access.lock();
            try {
                shell.runLine(line);
            } catch (java.util.concurrent.CancellationException e) {
                // Ctrl-C as the line ended, while its last output was flushed: nothing is left to stop
            } finally {
                access.unlock();
            }
        });
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> worker.interrupt());
        printed = false;
        long started = System.nanoTime();
        try {
            worker.start();
            while (worker.isAlive()) {
                try {
                    worker.join(1000);
                } catch (InterruptedException e) {
                    worker.interrupt();
                }
                // Long work says it is alive, on stderr, until its output starts.
                long seconds = (System.nanoTime() - started) / 1_000_000_000L;
                if (worker.isAlive() && !printed && seconds >= 1) {
                    ticking = true;
                    System.err.print("\rkdive: " + (line.length() > 40 ? line.substring(0, 40) + "…" : line) + ": " + seconds
                            + " s (Ctrl-C stops it)\033[K");
                    System.err.flush();
                }
            }
        } finally {
            if (ticking) {
                System.err.print("\r\033[K");
                System.err.flush();
                ticking = false;
            }
            terminal.handle(Terminal.Signal.INT, previous);
            terminal.writer().flush();
        }
    }

    @Override
    public void close() throws IOException {
        terminal.close();
    }
}
